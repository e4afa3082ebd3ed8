using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Coordinator.Tests.Cluster;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>
/// A standby that comes back as a fresh node, beside an active coordinator's node; real actor systems on loopback. Alone:
/// the first node's removal can rest on the failure detector (a node that misses the gossip downing it learns of it only
/// when it finds the active one unreachable). Each node is downed only once it has seen itself up: a node downed before
/// its welcome reached it is quarantined with the welcome undelivered (2 runs of 10 here, quarantining and downing it the
/// instant the active node saw it up), which fresh-join-after covers. A failed wait prints both nodes' logs: in CI
/// (2026-12-07) they showed the downed standby taking the run over as its own cluster shut down, on the removal events a
/// cluster publishes as it ends (<see cref="CoordinatorSuccession.ShuttingDown"/>).
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ReturningStandbyTests
{
    private static readonly TimeSpan Timeout = ActiveNode.Timeout;

    private readonly CollectingSink _standbyLog = new();
    private readonly CollectingSink _activeLog = new();

    [Fact]
    public async Task A_standby_whose_node_is_downed_stands_by_again_on_a_fresh_node_and_takes_over_when_the_active_coordinator_goes()
    {
        await using var active = ActiveNode.Start(log: _activeLog.CreateLogger());
        var nodes = new List<StandbyNode>();
        StandbyNode? last = null;
        try
        {
            var standing = Task.Run(() => ReturningStandby.Run(active.Options, statePath: null, _standbyLog.CreateLogger(), Task.Delay(4 * Timeout),
                node => { lock (nodes) nodes.Add(node); }));

            string first = await Up(active, nodes, 1);
            active.Cluster.Down(Address.Parse(first));
            string second = await Up(active, nodes, 2);
            active.Cluster.Leave(active.Cluster.SelfAddress);
            (last, var outcome) = await standing.WaitAsync(Timeout);

            Assert.NotEqual(first, second);
            Assert.Equal(StandbyOutcome.TakeOver, outcome);
            Assert.Equal(second, last!.Address);
        }
        finally
        {
            if (last is not null) await last.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_standby_whose_node_joins_no_cluster_within_the_join_timeout_ends_without_a_node()
    {
        string nowhere = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{Ports.Free()}";
        var options = new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [nowhere]);
        var quick = ConfigurationFactory.ParseString("disttrainer.standby.join-timeout = 2s");

        var (node, outcome) = await Task.Run(() => ReturningStandby.Run(options, statePath: null, Logger.None, Task.Delay(Timeout), overrides: quick))
            .WaitAsync(Timeout);

        Assert.Null(node);
        Assert.Equal(StandbyOutcome.NotJoined, outcome);
    }

    [Fact]
    public async Task A_standby_whose_node_is_not_up_within_fresh_join_after_tries_fresh_nodes_until_the_join_timeout()
    {
        string nowhere = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{Ports.Free()}";
        var options = new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [nowhere]);
        var quick = ConfigurationFactory.ParseString("""
            disttrainer.standby.join-timeout = 4s
            disttrainer.standby.fresh-join-after = 1s
            """);
        var nodes = new List<string>();

        var (node, outcome) = await Task.Run(() => ReturningStandby.Run(options, statePath: null, _standbyLog.CreateLogger(), Task.Delay(Timeout),
            started => { lock (nodes) nodes.Add(started.Address); }, quick)).WaitAsync(Timeout);

        Assert.Null(node);
        Assert.Equal(StandbyOutcome.NotJoined, outcome);
        // A fresh node only while more than a second is left of the 4: at most one a second, and the next-to-last of
        // them at least a second before the end (each node's start and leave, about a second here, make it 2 or 3).
        Assert.InRange(nodes.Count, 2, 5);
        Assert.Equal(nodes.Count, nodes.Distinct().Count());
        Assert.Equal(nodes.Count - 1, _standbyLog.Events.Count(e => e.RenderMessage().Contains("(disttrainer.standby.fresh-join-after); starting a fresh node")));
    }

    /// <summary>
    /// The address of the <paramref name="count"/>th standby node once the active coordinator's node and the standby itself
    /// see it up. A fresh node
    /// starts once the one before it has stopped, which its node's own bounds allow to take leave-timeout and
    /// terminate-timeout (a downed node's shutdown can run into them on a loaded machine: once, under the whole suite,
    /// the second node was not started within the 30 s this wait had).
    /// </summary>
    private async Task<string> Up(ActiveNode active, List<StandbyNode> nodes, int count)
    {
        var stopping = NodeLifecycleSettings.Create(ClusterConfigBuilder.Embedded);
        var bound = count == 1 ? Timeout : Timeout + stopping.LeaveTimeout + stopping.TerminateTimeout;
        Assert.True(await Poll.Eventually(() => { lock (nodes) return nodes.Count >= count; }, bound),
            $"standby node {count} was not started within {bound.TotalSeconds:F0} s{Logs()}");
        string address;
        lock (nodes) address = nodes[count - 1].Address;
        Assert.True(await active.SeesUp(address), $"standby node {count} was not up within {Timeout.TotalSeconds:F0} s{Logs()}");
        // Up in its own view too: downed before it hears it is up, a node can be removed and quarantined before its welcome
        // reaches it, and then it retries its join until the join timeout (2 min) instead of standing by again.
        Assert.True(await Poll.Eventually(() => _standbyLog.Events.Any(e => e.RenderMessage().Contains(address) && e.RenderMessage().EndsWith("up in the cluster")), Timeout),
            $"standby node {count} did not see itself up within {Timeout.TotalSeconds:F0} s{Logs()}");
        return address;
    }

    private string Logs() => $"\nthe standby's log:\n{_standbyLog.Transcript()}\nthe active node's log:\n{_activeLog.Transcript()}";
}
