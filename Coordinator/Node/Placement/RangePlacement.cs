using Akka.Actor;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Protocol;

namespace DistTrainer.Coordinator.Placement;

/// <summary>
/// Places the run's key ranges on other nodes, once <paramref name="nodes"/> (default: one a range) have offered a host: the first of them to
/// register with a range host, workers (--ps-placement workers) or nodes of role ps (<paramref name="onPsNodes"/>:
/// --ps-placement ps-nodes); range r goes to the (r mod <paramref name="nodes"/>)-th, each range with a fresh master token.
/// Until every range is placed, each registration's acceptance is held (the job it carries names the ranges' servers); a
/// worker or node lost meanwhile is forgotten. Holds at most one acceptance per registered worker or ps node. A run that cannot
/// wait for that many nodes any more places its ranges on the hosts it has (<see cref="PlaceOnOffered"/>).
/// </summary>
public sealed class RangePlacement(int ranges, bool onPsNodes = false, int? nodes = null)
{
    private int _nodes = nodes switch
    {
        null => ranges,
        int n when n >= 1 && n <= ranges => n,
        _ => throw new ArgumentOutOfRangeException(nameof(nodes), nodes, $"{ranges} key ranges go to 1 to {ranges} nodes"),
    };

    private readonly List<(string OfferedBy, string Node, string Host, int Port)> _hosts = [];
    private readonly Dictionary<string, (IActorRef Sender, string Token, Address Node)> _held = [];
    private readonly Dictionary<string, HostedRange[]> _hostedBy = [];

    /// <summary>Where each range's server is, with its master token, once placed; null before.</summary>
    public IReadOnlyList<RangeEndpoint>? Servers { get; private set; }

    public bool Placed => Servers is not null;

    /// <summary>Whether the ranges go to nodes of role ps, whose registrations are offers of a host and nothing else.</summary>
    public bool OnPsNodes => onPsNodes;

    /// <summary>
    /// Holds <paramref name="worker"/>'s acceptance (its latest registration's <paramref name="sender"/>) and, when ranges go to
    /// workers' nodes, offers its node's range host (<paramref name="hostPort"/>, 0: none) on <paramref name="node"/>'s host;
    /// true when this places every range.
    /// </summary>
    public bool Hold(string worker, IActorRef sender, string token, Address node, int hostPort)
    {
        if (Placed) throw new InvalidOperationException("the key ranges are placed already");
        _held[worker] = (sender, token, node);
        if (!onPsNodes) Offer(worker, node, hostPort);
        return TryPlace();
    }

    /// <summary>
    /// Holds the acceptance of <paramref name="psNode"/>, a node of role ps, and offers its range host; true when this places
    /// every range.
    /// </summary>
    public bool OfferHost(string psNode, IActorRef sender, Address node, int hostPort)
    {
        if (!onPsNodes) throw new InvalidOperationException("the key ranges go to workers' nodes, not to ps nodes");
        if (Placed) throw new InvalidOperationException("the key ranges are placed already");
        _held[psNode] = (sender, "", node);
        Offer(psNode, node, hostPort);
        return TryPlace();
    }

    /// <summary>A node lost before the ranges are placed: the acceptances held for it and its host are no longer offered.</summary>
    public void ForgetNode(Address node)
    {
        if (Placed) return;
        foreach (var held in _held.Where(h => h.Value.Node == node).Select(h => h.Key).ToList()) Forget(held);
    }

    private void Offer(string offeredBy, Address node, int hostPort)
    {
        string nodeName = node.ToString();
        if (hostPort > 0 && node.Host is { } host && !_hosts.Any(h => h.OfferedBy == offeredBy || h.Node == nodeName))
            _hosts.Add((offeredBy, nodeName, host, hostPort));
    }

    /// <summary>
    /// Places every range on the hosts offered so far, fewer than the nodes asked for (r mod their count): a node lost for
    /// good must not hold a run that has begun. Every range is served the same wherever it is, so the run's arithmetic is
    /// unchanged. False when no host is offered.
    /// </summary>
    public bool PlaceOnOffered()
    {
        if (Placed) throw new InvalidOperationException("the key ranges are placed already");
        if (_hosts.Count == 0) return false;
        _nodes = Math.Min(_nodes, _hosts.Count);
        return TryPlace();
    }

    private bool TryPlace()
    {
        if (_hosts.Count < _nodes) return false;
        Servers = [.. Enumerable.Range(0, ranges).Select(range => _hosts[range % _nodes])
            .Select((h, range) => new RangeEndpoint(range, h.Host, h.Port, RangeHosting.NewMasterToken()))];
        for (int node = 0; node < _nodes; node++)
            _hostedBy[_hosts[node].OfferedBy] = [.. Servers.Where(s => s.Range % _nodes == node).Select(s => new HostedRange(s.Range, s.MasterToken))];
        return true;
    }

    /// <summary>A worker lost before the ranges are placed: its acceptance and its node's host are no longer offered.</summary>
    public void Forget(string worker)
    {
        if (Placed) return;
        _held.Remove(worker);
        _hosts.RemoveAll(h => h.OfferedBy == worker);
    }

    /// <summary>The acceptances held until the placement, each once.</summary>
    public IReadOnlyList<(string Worker, IActorRef Sender, string Token)> Release()
    {
        var held = _held.Select(h => (h.Key, h.Value.Sender, h.Value.Token)).ToArray();
        _held.Clear();
        return held;
    }

    /// <summary>The node serving <paramref name="range"/>, or null before the placement.</summary>
    public string? NodeOf(int range) => Placed ? _hosts[range % _nodes].Node : null;

    /// <summary>The ranges placed on <paramref name="node"/>: none before the placement.</summary>
    public IReadOnlyList<int> RangesOn(Address node) =>
        Placed ? [.. Enumerable.Range(0, ranges).Where(range => NodeOf(range) == node.ToString())] : [];

    /// <summary>The ranges <paramref name="worker"/>'s node serves (with their master tokens), or null.</summary>
    public HostedRange[]? HostedBy(string worker) => _hostedBy.GetValueOrDefault(worker);
}
