using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Coordinator.Standby;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

public sealed class CoordinatorSuccessionTests
{
    private static readonly UniqueAddress Active = Node(4053, 11);
    private static readonly UniqueAddress Standby = Node(4054, 22);
    private static readonly UniqueAddress Later = Node(4055, 33);

    private static UniqueAddress Node(int port, int uid) => new(new Address("akka.tcp", "disttrainer", "10.0.0.5", port), uid);

    private static CoordinatorSuccession StandbyBehindActive()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(new CoordinatorMember(Active, MemberStatus.Up, 1), removed: false);
        succession.Apply(new CoordinatorMember(Standby, MemberStatus.Up, 2), removed: false);
        return succession;
    }

    [Fact]
    public void The_removal_of_the_active_coordinator_alone_hands_the_turn_to_the_standby()
    {
        var succession = StandbyBehindActive();
        Assert.False(succession.TurnHasCome);

        succession.Apply(new CoordinatorMember(Active, MemberStatus.Removed, 1), removed: true);

        Assert.True(succession.TurnHasCome);
        Assert.Empty(succession.OtherCoordinators);
    }

    [Theory]
    [InlineData(MemberStatus.Up, false)]
    [InlineData(MemberStatus.Leaving, false)]
    [InlineData(MemberStatus.Exiting, false)]
    [InlineData(MemberStatus.Down, true)]
    public void An_active_coordinator_leaving_or_exiting_still_holds_the_run_and_a_downed_one_does_not(MemberStatus status, bool turn)
    {
        var succession = StandbyBehindActive();

        succession.Apply(new CoordinatorMember(Active, status, 1), removed: false);

        Assert.Equal(turn, succession.TurnHasCome);
        Assert.Equal(turn ? [] : new[] { Active.Address }, succession.OtherCoordinators);
    }

    [Fact]
    public void A_standby_not_up_yet_waits_even_alone()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(new CoordinatorMember(Standby, MemberStatus.Joining, int.MaxValue), removed: false);
        Assert.False(succession.TurnHasCome);

        succession.Apply(new CoordinatorMember(Standby, MemberStatus.Up, 1), removed: false);

        Assert.True(succession.TurnHasCome);
    }

    [Fact]
    public void An_older_coordinator_node_holds_the_turn_and_a_younger_one_does_not()
    {
        var older = StandbyBehindActive();
        var younger = new CoordinatorSuccession(Later);
        foreach (var succession in new[] { older, younger })
        {
            succession.Apply(new CoordinatorMember(Active, MemberStatus.Up, 1), removed: false);
            succession.Apply(new CoordinatorMember(Standby, MemberStatus.Up, 2), removed: false);
            succession.Apply(new CoordinatorMember(Later, MemberStatus.Up, 3), removed: false);
            succession.Apply(new CoordinatorMember(Active, MemberStatus.Removed, 1), removed: true);
        }

        Assert.True(older.TurnHasCome);
        Assert.False(younger.TurnHasCome);
        Assert.Equal([Standby.Address], younger.OtherCoordinators);
    }

    [Fact]
    public void A_coordinator_still_joining_holds_the_turn_until_it_is_up_and_younger()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(new CoordinatorMember(Active, MemberStatus.Joining, int.MaxValue), removed: false);
        succession.Apply(new CoordinatorMember(Standby, MemberStatus.Up, 1), removed: false);
        Assert.False(succession.TurnHasCome);
        Assert.Empty(succession.OtherCoordinators);

        succession.Apply(new CoordinatorMember(Active, MemberStatus.Up, 2), removed: false);

        Assert.True(succession.TurnHasCome);
    }
}
