using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Coordinator.Standby;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

public sealed class CoordinatorSuccessionTests
{
    private const int NotUpYet = int.MaxValue;

    private static readonly UniqueAddress Active = Node(4053, 11);
    private static readonly UniqueAddress Standby = Node(4054, 22);
    private static readonly UniqueAddress Second = Node(4055, 33);
    private static readonly UniqueAddress Successor = Node(4056, 44);

    private static UniqueAddress Node(int port, int uid) => new(new Address("akka.tcp", "disttrainer", "10.0.0.5", port), uid);

    private static CoordinatorMember Training(UniqueAddress node, MemberStatus status, int age) => new(node, status, age, StandingBy: false);

    private static CoordinatorMember StandingBy(UniqueAddress node, MemberStatus status, int age) => new(node, status, age, StandingBy: true);

    private static CoordinatorSuccession StandbyBehindActive()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(Training(Active, MemberStatus.Up, 1), removed: false);
        succession.Apply(StandingBy(Standby, MemberStatus.Up, 2), removed: false);
        return succession;
    }

    [Fact]
    public void The_removal_of_the_active_coordinator_alone_hands_the_turn_to_the_standby()
    {
        var succession = StandbyBehindActive();
        Assert.False(succession.TurnHasCome);
        Assert.Equal([Active.Address], succession.ActiveCoordinators);

        succession.Apply(Training(Active, MemberStatus.Removed, 1), removed: true);

        Assert.True(succession.TurnHasCome);
        Assert.Empty(succession.ActiveCoordinators);
    }

    [Fact]
    public void The_removals_a_shutting_down_cluster_ends_with_are_no_loss_of_the_active_coordinator()
    {
        var succession = StandbyBehindActive();

        succession.ShuttingDown();
        succession.Apply(Training(Active, MemberStatus.Removed, 1), removed: true);

        Assert.False(succession.TurnHasCome);
        Assert.Empty(succession.ActiveCoordinators);
    }

    [Theory]
    [InlineData(MemberStatus.Up, false)]
    [InlineData(MemberStatus.Leaving, false)]
    [InlineData(MemberStatus.Exiting, false)]
    [InlineData(MemberStatus.Down, true)]
    public void An_active_coordinator_leaving_or_exiting_still_holds_the_run_and_a_downed_one_does_not(MemberStatus status, bool turn)
    {
        var succession = StandbyBehindActive();

        succession.Apply(Training(Active, status, 1), removed: false);

        Assert.Equal(turn, succession.TurnHasCome);
        Assert.Equal(turn ? [] : new[] { Active.Address }, succession.ActiveCoordinators);
    }

    [Fact]
    public void A_standby_not_up_yet_waits_even_alone()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(StandingBy(Standby, MemberStatus.Joining, NotUpYet), removed: false);
        Assert.False(succession.TurnHasCome);

        succession.Apply(StandingBy(Standby, MemberStatus.Up, 1), removed: false);

        Assert.True(succession.TurnHasCome);
    }

    [Fact]
    public void The_active_coordinator_holds_the_turn_whatever_its_age_and_from_joining_on()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(Training(Active, MemberStatus.Joining, NotUpYet), removed: false);
        succession.Apply(StandingBy(Standby, MemberStatus.Up, 1), removed: false);
        Assert.False(succession.TurnHasCome);

        // Moved up in the same round as the standby, after it: the younger node, and still the one that trains.
        succession.Apply(Training(Active, MemberStatus.Up, 2), removed: false);

        Assert.False(succession.TurnHasCome);
        Assert.Equal([Active.Address], succession.ActiveCoordinators);
    }

    [Fact]
    public void Of_two_standbys_the_older_takes_over_and_the_younger_stands_by_for_the_node_that_took_over()
    {
        var first = new CoordinatorSuccession(Standby);
        var second = new CoordinatorSuccession(Second);
        CoordinatorSuccession[] both = [first, second];
        foreach (var succession in both)
        {
            succession.Apply(Training(Active, MemberStatus.Up, 1), removed: false);
            succession.Apply(StandingBy(Standby, MemberStatus.Up, 2), removed: false);
            succession.Apply(StandingBy(Second, MemberStatus.Up, 3), removed: false);
            succession.Apply(Training(Active, MemberStatus.Removed, 1), removed: true);
        }
        Assert.True(first.TurnHasCome);
        Assert.False(second.TurnHasCome);
        Assert.Empty(second.ActiveCoordinators);

        // The first standby's fresh node joins (the youngest of all) and the first standby's own node leaves.
        second.Apply(Training(Successor, MemberStatus.Up, 4), removed: false);
        second.Apply(StandingBy(Standby, MemberStatus.Removed, 2), removed: true);

        Assert.False(second.TurnHasCome);
        Assert.Equal([Successor.Address], second.ActiveCoordinators);

        second.Apply(Training(Successor, MemberStatus.Removed, 4), removed: true);

        Assert.True(second.TurnHasCome);
    }

    [Fact]
    public void Another_standby_still_joining_holds_the_turn_until_it_is_up_and_younger()
    {
        var succession = new CoordinatorSuccession(Standby);
        succession.Apply(StandingBy(Second, MemberStatus.Joining, NotUpYet), removed: false);
        succession.Apply(StandingBy(Standby, MemberStatus.Up, 1), removed: false);
        Assert.False(succession.TurnHasCome);
        Assert.Empty(succession.ActiveCoordinators);

        succession.Apply(StandingBy(Second, MemberStatus.Up, 2), removed: false);

        Assert.True(succession.TurnHasCome);
    }

    /// <summary>The active coordinator's fresh node: the same address, a new incarnation.</summary>
    private static readonly UniqueAddress Fresh = new(Active.Address, 55);

    [Fact]
    public void An_active_coordinator_rolling_back_on_a_fresh_node_holds_the_turn_through_its_leaving_until_that_node_joins()
    {
        var succession = StandbyBehindActive();
        succession.HoldForFreshNode();

        // Its own node leaving, exiting and removed is no loss while it moves.
        succession.Apply(Training(Active, MemberStatus.Leaving, 1), removed: false);
        succession.Apply(Training(Active, MemberStatus.Removed, 1), removed: true);
        Assert.False(succession.TurnHasCome);
        Assert.True(succession.HeldForFreshNode);

        succession.Apply(Training(Fresh, MemberStatus.Joining, NotUpYet), removed: false);

        Assert.False(succession.HeldForFreshNode);
        Assert.False(succession.TurnHasCome);

        // From then on the fresh node is the active coordinator like any: its loss hands the standby the turn.
        succession.Apply(Training(Fresh, MemberStatus.Up, 3), removed: false);
        Assert.Equal([Fresh.Address], succession.ActiveCoordinators);
        succession.Apply(Training(Fresh, MemberStatus.Removed, 3), removed: true);
        Assert.True(succession.TurnHasCome);
    }

    [Fact]
    public void A_hold_released_with_no_fresh_node_in_the_cluster_hands_the_standby_the_turn()
    {
        var succession = StandbyBehindActive();
        succession.HoldForFreshNode();
        succession.Apply(Training(Active, MemberStatus.Removed, 1), removed: true);
        // Another standby joining is no fresh active coordinator.
        succession.Apply(StandingBy(Second, MemberStatus.Up, 3), removed: false);
        Assert.False(succession.TurnHasCome);

        succession.ReleaseHold();

        Assert.True(succession.TurnHasCome);
    }

    [Fact]
    public void A_hold_does_not_outlast_a_fresh_node_that_joined_before_the_old_one_was_removed()
    {
        var succession = StandbyBehindActive();
        succession.HoldForFreshNode();

        succession.Apply(Training(Fresh, MemberStatus.Up, 3), removed: false);
        succession.Apply(Training(Active, MemberStatus.Removed, 1), removed: true);

        Assert.False(succession.HeldForFreshNode);
        Assert.False(succession.TurnHasCome);
    }
}
