using Akka.Actor;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Protocol;

namespace DistTrainer.Coordinator.Placement;

/// <summary>
/// Places the run's key ranges on workers' nodes (--ps-placement workers): range r on the node of the r-th worker to register
/// with a range host, one range per node, each with a fresh master token. Until every range is placed, each registration's
/// acceptance is held (the job it carries names the ranges' servers); a worker lost meanwhile is forgotten. Holds at most
/// one acceptance per registered worker.
/// </summary>
public sealed class RangePlacement(int ranges)
{
    private readonly List<(string Worker, string Node, string Host, int Port)> _hosts = [];
    private readonly Dictionary<string, (IActorRef Sender, string Token)> _held = [];
    private readonly Dictionary<string, HostedRange[]> _hostedBy = [];

    /// <summary>Where each range's server is, with its master token, once placed; null before.</summary>
    public IReadOnlyList<RangeEndpoint>? Servers { get; private set; }

    public bool Placed => Servers is not null;

    /// <summary>
    /// Holds <paramref name="worker"/>'s acceptance (its latest registration's <paramref name="sender"/>) and offers its node's
    /// range host (<paramref name="hostPort"/>, 0: none) on <paramref name="node"/>'s host; true when this places every range.
    /// </summary>
    public bool Hold(string worker, IActorRef sender, string token, Address node, int hostPort)
    {
        if (Placed) throw new InvalidOperationException("the key ranges are placed already");
        _held[worker] = (sender, token);
        string nodeName = node.ToString();
        if (hostPort > 0 && node.Host is { } host && !_hosts.Any(h => h.Worker == worker || h.Node == nodeName))
            _hosts.Add((worker, nodeName, host, hostPort));
        if (_hosts.Count < ranges) return false;
        Servers = [.. _hosts.Take(ranges).Select((h, range) => new RangeEndpoint(range, h.Host, h.Port, RangeHosting.NewMasterToken()))];
        for (int range = 0; range < ranges; range++) _hostedBy[_hosts[range].Worker] = [new HostedRange(range, Servers[range].MasterToken)];
        return true;
    }

    /// <summary>A worker lost before the ranges are placed: its acceptance and its node's host are no longer offered.</summary>
    public void Forget(string worker)
    {
        if (Placed) return;
        _held.Remove(worker);
        _hosts.RemoveAll(h => h.Worker == worker);
    }

    /// <summary>The acceptances held until the placement, each once.</summary>
    public IReadOnlyList<(string Worker, IActorRef Sender, string Token)> Release()
    {
        var held = _held.Select(h => (h.Key, h.Value.Sender, h.Value.Token)).ToArray();
        _held.Clear();
        return held;
    }

    /// <summary>The node serving <paramref name="range"/>, or null before the placement.</summary>
    public string? NodeOf(int range) => Placed ? _hosts[range].Node : null;

    /// <summary>The ranges <paramref name="worker"/>'s node serves (with their master tokens), or null.</summary>
    public HostedRange[]? HostedBy(string worker) => _hostedBy.GetValueOrDefault(worker);
}
