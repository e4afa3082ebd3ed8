using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// What crosses each node's link on the data plane. A stream whose ends are on two nodes counts at both, as sent at one and
/// received at the other; a stream between two ends on one node (a worker and the range its own node serves) counts at
/// neither. Nodes go by name: the master's is <paramref name="master"/>, a range's is where it is served (null: the master's
/// node), a worker's is where it registered from (null: not known, and its streams are left out).
/// </summary>
public sealed class NodeTraffic(string master, Func<string, string?> nodeOfWorker, Func<int, string?> nodeOfRange)
{
    /// <summary>Each node's bytes over the run in <paramref name="streams"/>.</summary>
    public Dictionary<string, DataPlaneTraffic> Totals(IEnumerable<StreamTraffic> streams)
    {
        var nodes = new Dictionary<string, DataPlaneTraffic>();
        foreach (var stream in streams)
        {
            // A worker's stream is counted where it is served (the master, or the range); the master's link to a range, at the master.
            string? counted = stream is { Worker: not null, Range: { } served } ? RangeNode(served) : master;
            string? other = stream.Worker is { } worker ? nodeOfWorker(worker) : stream.Range is { } linked ? RangeNode(linked) : null;
            if (other is null || other == counted) continue;
            nodes[counted] = nodes.GetValueOrDefault(counted).Plus(stream.Traffic);
            nodes[other] = nodes.GetValueOrDefault(other).Plus(new DataPlaneTraffic(stream.Traffic.BytesReceived, stream.Traffic.BytesSent));
        }
        return nodes;
    }

    /// <summary>Each node's bytes per step between two counts of the same streams, <paramref name="steps"/> steps apart.</summary>
    public IReadOnlyList<NodeBytesPerStep> PerStep(IEnumerable<StreamTraffic> before, IEnumerable<StreamTraffic> after, long steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var start = Totals(before);
        return
        [
            .. Totals(after).OrderBy(node => node.Key, StringComparer.Ordinal).Select(node =>
            {
                var first = start.GetValueOrDefault(node.Key);
                return new NodeBytesPerStep(node.Key, node.Key == master, (double)(node.Value.BytesSent - first.BytesSent) / steps,
                    (double)(node.Value.BytesReceived - first.BytesReceived) / steps);
            }),
        ];
    }

    private string RangeNode(int range) => nodeOfRange(range) ?? master;
}

/// <summary>A node's data-plane bytes per step over its link, each way; <paramref name="Master"/>: the coordinator's node.</summary>
public sealed record NodeBytesPerStep(string Node, bool Master, double BytesSent, double BytesReceived);
