using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
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

    /// <summary>Remoting's warning, word for word.</summary>
    internal const string FlushWarning = "Shutdown finished, but flushing might not have been successful and some messages might have been dropped. " +
        "Increase akka.remote.flush-wait-on-shutdown to a larger value to avoid this.";

    // Akka's own message types are internal; a message without arguments is all remoting's warning is.
    private sealed class Text(string format) : LogMessage(DefaultLogMessageFormatter.Instance, format)
    {
        public override string Unformatted() => Format;
        public override IEnumerable<object> Parameters() => [];
    }

    private static Warning RemotingWarning(string text) => new("remoting", typeof(RoutineRemotingEventsTests), new Text(text));

    [Fact]
    public void An_incomplete_flush_is_routine_only_for_a_node_that_left_or_was_downed()
    {
        Assert.True(RoutineRemotingEvents.IsFlushAtClusterExit(RemotingWarning(FlushWarning), CoordinatedShutdown.ClusterLeavingReason.Instance));
        Assert.True(RoutineRemotingEvents.IsFlushAtClusterExit(RemotingWarning(FlushWarning), CoordinatedShutdown.ClusterDowningReason.Instance));
        Assert.False(RoutineRemotingEvents.IsFlushAtClusterExit(RemotingWarning(FlushWarning), CoordinatedShutdown.ClusterJoinUnsuccessfulReason.Instance));
        Assert.False(RoutineRemotingEvents.IsFlushAtClusterExit(RemotingWarning(FlushWarning), null));
        Assert.False(RoutineRemotingEvents.IsFlushAtClusterExit(RemotingWarning(FlushWarning), CoordinatedShutdown.ActorSystemTerminateReason.Instance));
    }

    [Fact]
    public void Other_warnings_of_a_node_that_left_stay_warnings()
    {
        Assert.False(RoutineRemotingEvents.IsFlushAtClusterExit(RemotingWarning("Shutdown timed out."), CoordinatedShutdown.ClusterLeavingReason.Instance));
        Assert.False(RoutineRemotingEvents.IsFlushAtClusterExit(
            new Error(null, "remoting", typeof(RoutineRemotingEventsTests), new Text(FlushWarning)),
            CoordinatedShutdown.ClusterLeavingReason.Instance));
    }
}
