using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Worker.Actors;
using DistTrainer.Worker.Hosting;
using Xunit;

namespace DistTrainer.Worker.Tests.Hosting;

/// <summary>
/// A worker program's fresh nodes, against a seed node that is not there: it stands in for a seed that refuses this
/// incarnation for good (a node removed before its welcome reached it), which answers no join either. The worker with a
/// coordinator, removed and coming back, is in the coordinator's fault tests.
/// </summary>
public sealed class RejoiningWorkerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_worker_whose_node_is_not_up_within_fresh_join_after_tries_fresh_nodes_until_the_registration_timeout()
    {
        var log = new CollectingSink();
        string nowhere = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{Ports.Free()}";
        var options = new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [nowhere]);
        var settings = new WorkerSettings("w1", null, null, "cpu", 1, TimeSpan.FromSeconds(4));
        var quick = ConfigurationFactory.ParseString("disttrainer.worker.fresh-join-after = 1s");
        var nodes = new List<string>();

        var end = await Task.Run(() => RejoiningWorker.Run(options, settings, log.CreateLogger(), Task.Delay(Patience),
            system => { lock (nodes) nodes.Add(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString()); }, quick)).WaitAsync(Patience);

        Assert.Equal(WorkerEnd.GaveUp, end);
        // A fresh node only while more than a second is left of the 4: at most one a second, the next-to-last at least a
        // second before the end (each node's start and leave take time too).
        Assert.InRange(nodes.Count, 2, 5);
        Assert.Equal(nodes.Count, nodes.Distinct().Count());
        Assert.Equal(nodes.Count - 1, log.Events.Count(e => e.RenderMessage().Contains("(disttrainer.worker.fresh-join-after); starting a fresh node")));
        // The timeout the worker gives up on is the one it was given, counted over all its nodes.
        Assert.Contains(log.Events, e => e.RenderMessage().Contains("no coordinator accepted this worker within 4 s"));
    }

    [Fact]
    public async Task A_signal_ends_a_worker_waiting_to_join_with_its_node_left()
    {
        string nowhere = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{Ports.Free()}";
        var options = new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [nowhere]);
        var settings = new WorkerSettings("w1", null, null, "cpu", 1, TimeSpan.FromMinutes(2));
        var stop = new TaskCompletionSource();
        var systems = new List<ActorSystem>();

        var running = Task.Run(() => RejoiningWorker.Run(options, settings, Serilog.Core.Logger.None, stop.Task,
            system => { lock (systems) systems.Add(system); }));
        Assert.True(await Poll.Eventually(() => { lock (systems) return systems.Count == 1; }, Patience));
        stop.SetResult();

        Assert.Equal(WorkerEnd.Interrupted, await running.WaitAsync(Patience));
        Assert.True(systems.Single().WhenTerminated.IsCompleted);
    }
}
