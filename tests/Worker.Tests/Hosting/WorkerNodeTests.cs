using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
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
