using Akka.Cluster;
using DistTrainer.Cluster.Logging;
using Xunit;

namespace DistTrainer.Cluster.Tests.Logging;

public sealed class RoutineRemotingEventsTests
{
    [Theory]
    [InlineData(MemberStatus.Joining, true)]
    [InlineData(MemberStatus.WeaklyUp, true)]
    [InlineData(MemberStatus.Up, true)]
    [InlineData(MemberStatus.Leaving, false)]
    [InlineData(MemberStatus.Exiting, false)]
    [InlineData(MemberStatus.Down, false)]
    [InlineData(MemberStatus.Removed, false)]
    public void Only_a_joining_or_up_peer_is_expected_to_keep_its_connections(MemberStatus status, bool keeps) =>
        Assert.Equal(keeps, RoutineRemotingEvents.KeepsItsConnections(status));
}
