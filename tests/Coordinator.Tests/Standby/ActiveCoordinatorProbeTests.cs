using System.Diagnostics;
using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Coordinator.Standby;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>A first coordinator's question to the other coordinators' addresses, against real actor systems on loopback.</summary>
public sealed class ActiveCoordinatorProbeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static ClusterNodeOptions Asking => new(Hostname: "127.0.0.1", Port: Ports.Free());

    [Fact]
    public async Task A_coordinator_training_at_another_coordinators_address_is_found()
    {
        await using var active = ActiveNode.Start();
        active.System.ActorOf(Props.Create(() => new Silent()), ActorNames.Coordinator);
        string address = active.Cluster.SelfAddress.ToString();

        var found = ActiveCoordinatorProbe.Find(Asking, [Nowhere(), address], Timeout, Logger.None);

        Assert.Equal(address, found);
        // The question joined nothing: the live cluster saw no member come or go.
        Assert.Single(active.Cluster.State.Members);
    }

    [Fact]
    public async Task A_node_at_that_address_without_a_coordinator_is_no_run()
    {
        await using var node = ActiveNode.Start();

        Assert.Null(ActiveCoordinatorProbe.Find(Asking, [node.Cluster.SelfAddress.ToString()], Timeout, Logger.None));
    }

    /// <summary>
    /// Nothing listens at a standby's address before a takeover. Remoting hands the question to its dead letters once the
    /// connection is refused, and they answer an Identify with no actor, so the answer may come before the timeout: the
    /// bound is the timeout, and the node's own stop.
    /// </summary>
    [Fact]
    public void Nothing_listening_at_the_other_addresses_is_no_run_within_the_timeout()
    {
        var clock = Stopwatch.StartNew();

        Assert.Null(ActiveCoordinatorProbe.Find(Asking, [Nowhere(), Nowhere()], Timeout, Logger.None));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, Timeout + TimeSpan.FromSeconds(15));
    }

    private static string Nowhere() => $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{Ports.Free()}";

    private sealed class Silent : ReceiveActor;
}
