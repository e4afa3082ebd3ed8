using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using Serilog;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>
/// Cluster nodes for actor tests: 127.0.0.1 on a free port, the project's configuration, every message
/// passed through its serializer as if it crossed the network, and gossip sped up so that joining and
/// leaving take a fraction of a second. The failure detector is a little quicker than in production
/// (a silent node is unreachable after about 2 s instead of 3 s) but keeps room for a loaded machine.
/// </summary>
internal static class TestNodes
{
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(10);

    // With serialize-messages on, Akka's own local ReachabilityChanged event fails its JSON round trip and is
    // logged and dropped before the split brain resolver sees it: these tests react to UnreachableMember and
    // never wait for the resolver to down a node.
    public static readonly Config Overrides = ConfigurationFactory.ParseString("""
        akka.actor.serialize-messages = on
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.unreachable-nodes-reaper-interval = 250ms
        akka.cluster.failure-detector.heartbeat-interval = 500ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 1500ms
        # Terminating a node skips leaving the cluster: to the others it just stops answering, as after kill -9,
        # and a test's teardown never waits for a cluster that cannot agree on a leave.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """);

    /// <summary>A coordinator node that founds the cluster by joining itself.</summary>
    public static ActorSystem Coordinator(ILogger log)
    {
        var system = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, Roles: [ClusterRoles.Coordinator]), log, Overrides);
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(cluster.SelfAddress);
        return system;
    }

    /// <summary>A worker node joining through <paramref name="seed"/>; with none, a node that joins no cluster until told to.</summary>
    public static ActorSystem Worker(ILogger log, Address? seed) =>
        ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: seed is null ? null : [seed.ToString()],
            Roles: [ClusterRoles.Worker]), log, Overrides);

    public static Address AddressOf(ActorSystem system) => Akka.Cluster.Cluster.Get(system).SelfAddress;

    /// <summary>Completes when <paramref name="system"/>'s node is Up in the cluster.</summary>
    public static Task UpAsync(ActorSystem system, TimeSpan? timeout = null)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(up.SetResult);
        return up.Task.WaitAsync(timeout ?? JoinTimeout);
    }

    /// <summary>
    /// Completes when <paramref name="member"/>'s node is Up in its own view and in <paramref name="observer"/>'s: a coordinator
    /// takes registrations only from up members, by its own view, which can lag the member's.
    /// </summary>
    public static async Task UpAsSeenByAsync(ActorSystem member, ActorSystem observer)
    {
        await UpAsync(member);
        var address = AddressOf(member);
        var cluster = Akka.Cluster.Cluster.Get(observer);
        if (!await Poll.Eventually(() => cluster.State.Members.Any(m => m.Address == address && m.Status == MemberStatus.Up), JoinTimeout))
            throw new TimeoutException($"{address} was not up in {AddressOf(observer)}'s view within {JoinTimeout.TotalSeconds:F0} s");
    }
}
