using Akka;
using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>The one way every node leaves: through the cluster when it can, by terminating when that takes too long.</summary>
public sealed class NodeLifecycleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly CollectingSink _sink = new();

    private ActorSystem StartNode(Config? overrides = null) =>
        ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, Roles: [ClusterRoles.Coordinator]), _sink.CreateLogger(), overrides);

    private static async Task UpAsync(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(up.SetResult);
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_node_started_with_overrides_reads_its_limits_from_them()
    {
        var system = StartNode(ConfigurationFactory.ParseString("disttrainer.node.terminate-timeout = 7s\ndisttrainer.data-plane.thread-exit-wait = 1s"));
        try
        {
            Assert.Equal(new NodeLifecycleSettings(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(7)), NodeLifecycleSettings.Create(system.Settings.Config));
            Assert.Equal(TimeSpan.FromSeconds(1), DataPlaneSettings.Create(system.Settings.Config).ThreadExitWait);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task The_leave_takes_a_single_node_out_of_its_cluster_and_stops_it()
    {
        var system = StartNode();
        await UpAsync(system);

        await NodeLifecycle.LeaveAsync(system, _sink.CreateLogger());

        Assert.True(system.WhenTerminated.IsCompleted);
        Assert.Same(CoordinatedShutdown.ClusterLeavingReason.Instance, CoordinatedShutdown.Get(system).ShutdownReason);
    }

    [Fact]
    public async Task A_leave_that_runs_out_of_time_is_logged_and_so_is_a_terminate_that_does()
    {
        // A shutdown task that holds its phase far longer than either limit: the leave cannot finish in time, and
        // terminating waits on the same coordinated shutdown.
        var system = StartNode(ConfigurationFactory.ParseString("akka.coordinated-shutdown.phases.before-service-unbind.timeout = 120s"));
        var held = new TaskCompletionSource<Done>(TaskCreationOptions.RunContinuationsAsynchronously);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "held", () => held.Task);
        try
        {
            await NodeLifecycle.LeaveAsync(system, new NodeLifecycleSettings(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(300)),
                _sink.CreateLogger());

            var logged = _sink.Events.Where(e => e.Level >= LogEventLevel.Warning && e.Properties.ContainsKey("Timeout")).ToList();
            Assert.Equal([(LogEventLevel.Warning, "Leaving the cluster took over 0.2 s; stopping anyway"),
                (LogEventLevel.Error, "The actor system did not stop within 0.3 s")], logged.Select(e => (e.Level, e.RenderMessage())));
            Assert.False(system.WhenTerminated.IsCompleted);
        }
        finally
        {
            held.TrySetResult(Done.Instance);
        }
        await system.WhenTerminated.WaitAsync(Patience);
    }
}
