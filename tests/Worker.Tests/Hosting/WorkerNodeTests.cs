using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Worker.Actors;
using DistTrainer.Worker.Hosting;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Worker.Tests.Hosting;

/// <summary>The one way a worker node starts, for the worker program and the coordinator's in-process workers alike.</summary>
public sealed class WorkerNodeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // No seed nodes: the node joins nothing, and the worker keeps waiting for a coordinator well past the test.
    private static ActorSystem StartAlone(Config? overrides = null) =>
        WorkerNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: []),
            new WorkerSettings("w1", null, null, "cpu", 1, TimeSpan.FromMinutes(10)), Logger.None, overrides);

    [Fact]
    public async Task A_worker_node_has_the_worker_role_and_its_worker_actor_at_user_worker()
    {
        var system = StartAlone();
        try
        {
            var worker = await system.ActorSelection("/user/worker").ResolveOne(Patience);

            Assert.Equal("/user/worker", worker.Path.ToStringWithoutAddress());
            Assert.Equal([ClusterRoles.Worker], Akka.Cluster.Cluster.Get(system).SelfRoles.Where(role => !role.StartsWith("dc-")));
        }
        finally
        {
            await NodeLifecycle.LeaveAsync(system, Logger.None);
        }
        Assert.True(system.WhenTerminated.IsCompleted);
    }

    /// <summary>
    /// A worker started before its coordinator (compose starts them together) asks a seed node that refuses the connection.
    /// It joins within seconds of the coordinator listening: with Akka's defaults (a failed address closed for 5 s, asked
    /// again every 5 s) it joined 8.5-10 s after it.
    /// </summary>
    [Fact]
    public async Task A_worker_started_before_its_seed_node_joins_within_seconds_of_it_listening()
    {
        int port = Ports.Free();
        string seed = $"akka.tcp://disttrainer@127.0.0.1:{port}";
        var worker = WorkerNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [seed]),
            new WorkerSettings("w1", null, null, "cpu", 1, TimeSpan.FromMinutes(10)), Logger.None);
        ActorSystem? coordinator = null;
        try
        {
            // Refused at least once, so that the seed node's address is closed to the worker when it starts.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            coordinator = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: port, SeedNodes: [seed],
                Roles: [ClusterRoles.Coordinator]), Logger.None);
            var listening = System.Diagnostics.Stopwatch.StartNew();
            var joined = new TaskCompletionSource();
            Akka.Cluster.Cluster.Get(worker).RegisterOnMemberUp(() => joined.TrySetResult());

            await joined.Task.WaitAsync(Patience);
            Assert.True(listening.Elapsed < TimeSpan.FromSeconds(5), $"the worker joined {listening.Elapsed.TotalSeconds:F1} s after its seed node listened");
        }
        finally
        {
            await worker.Terminate();
            if (coordinator is not null) await coordinator.Terminate();
        }
    }

    [Fact]
    public async Task A_worker_node_reads_its_waits_from_its_own_configuration()
    {
        var system = StartAlone(ConfigurationFactory.ParseString("disttrainer.worker.connect-retries = 9"));
        try
        {
            Assert.Equal(WorkerNodeSettings.Default with { ConnectRetries = 9 }, WorkerNodeSettings.Create(system.Settings.Config));
        }
        finally
        {
            await system.Terminate();
        }
    }
}
