using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Coordinator.Tests.Cluster;
using Serilog.Core;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>
/// The active coordinator's node as a standby sees it: a coordinator-role node up at the seed node on loopback, and the
/// options a standby joins it with. It holds no coordinator actor, so a standby beside it registers with nothing.
/// </summary>
internal sealed class ActiveNode : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ActiveNode(ActorSystem system, ClusterNodeOptions options)
    {
        System = system;
        Options = options;
    }

    public ActorSystem System { get; }

    public Akka.Cluster.Cluster Cluster => Akka.Cluster.Cluster.Get(System);

    /// <summary>The options of a coordinator node joining through this one's seed node.</summary>
    public ClusterNodeOptions Options { get; }

    /// <param name="joinThrough">A node already in a cluster (a fresh coordinator node joining through a standby); none: found one.</param>
    /// <param name="log">Where the node's own events go; none: nowhere.</param>
    public static ActiveNode Start(string? joinThrough = null, Serilog.ILogger? log = null)
    {
        string self = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{Ports.Free()}";
        var options = new ClusterNodeOptions(Hostname: "127.0.0.1", Port: new Uri(self).Port, SeedNodes: [joinThrough ?? self], Roles: [ClusterRoles.Coordinator]);
        var system = ClusterNode.Start(options, log ?? Logger.None);
        MemberUp.Wait(system, Timeout);
        return new ActiveNode(system, options);
    }

    /// <summary>Whether the node at <paramref name="address"/> is up in this node's view within the timeout.</summary>
    public Task<bool> SeesUp(string address) =>
        Poll.Eventually(() => Cluster.State.Members.Any(m => m.Address.ToString() == address && m.Status == Akka.Cluster.MemberStatus.Up), Timeout);

    public async ValueTask DisposeAsync() => await System.Terminate();
}
