using DistTrainer.Cluster.DataPlane;
using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// One worker's metrics, labelled with its id as <c>node</c> (the in-process workers of `train --workers N` share the
/// coordinator's endpoint, a worker program has its own): shards computed, each shard's compute time, and its data-plane
/// traffic in bytes and frames. The traffic is read from the worker's connections when Prometheus scrapes: the totals of
/// the connections it has had before (it reconnects after losing the parameter server) plus the current ones' (its main
/// stream and, with key ranges, one per range).
/// </summary>
public sealed class WorkerMetrics
{
    public const string NodeLabel = "node";

    private static readonly double[] ComputeBuckets = Histogram.ExponentialBuckets(0.0002, 2, 16);

    private readonly Counter.Child _shards;
    private readonly Histogram.Child _computeSeconds;
    private readonly Counter.Child[] _traffic;
    private readonly long[] _closedTotals = new long[4];
    private readonly Lock _lock = new();
    private IReadOnlyList<TensorConnection> _connections = [];

    public WorkerMetrics(CollectorRegistry registry, string workerId)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _shards = factory.CreateCounter("disttrainer_worker_shards_computed_total", "Shards this worker computed and sent.", [NodeLabel])
            .WithLabels(workerId);
        _computeSeconds = factory.CreateHistogram("disttrainer_worker_compute_seconds", "One shard's forward and backward pass on this worker.",
            new HistogramConfiguration { Buckets = ComputeBuckets, LabelNames = [NodeLabel] }).WithLabels(workerId);
        _traffic =
        [
            Traffic(factory, "disttrainer_worker_data_plane_sent_bytes_total", "Bytes this worker sent on the data plane.", workerId),
            Traffic(factory, "disttrainer_worker_data_plane_received_bytes_total", "Bytes this worker received on the data plane.", workerId),
            Traffic(factory, "disttrainer_worker_data_plane_sent_frames_total", "Frames this worker sent on the data plane.", workerId),
            Traffic(factory, "disttrainer_worker_data_plane_received_frames_total", "Frames this worker received on the data plane.", workerId),
        ];
        registry.AddBeforeCollectCallback(UpdateTraffic);
    }

    /// <summary>A shard was computed in <paramref name="seconds"/> and its result handed to the data plane.</summary>
    public void ShardComputed(double seconds)
    {
        _shards.Inc();
        _computeSeconds.Observe(seconds);
    }

    /// <summary>The worker's data plane is now <paramref name="connections"/>; the ones before keep the counts they reached.</summary>
    public void Attach(IReadOnlyList<TensorConnection> connections)
    {
        lock (_lock)
        {
            var last = Totals(_connections);
            for (int i = 0; i < _closedTotals.Length; i++) _closedTotals[i] += last[i];
            _connections = connections;
        }
    }

    private void UpdateTraffic()
    {
        lock (_lock)
        {
            var current = Totals(_connections);
            for (int i = 0; i < _traffic.Length; i++) _traffic[i].IncTo(_closedTotals[i] + current[i]);
        }
    }

    private static long[] Totals(IReadOnlyList<TensorConnection> connections)
    {
        var totals = new long[4];
        foreach (var c in connections)
        {
            totals[0] += c.BytesSent;
            totals[1] += c.BytesReceived;
            totals[2] += c.FramesSent;
            totals[3] += c.FramesReceived;
        }
        return totals;
    }

    private static Counter.Child Traffic(IMetricFactory factory, string name, string help, string workerId) =>
        factory.CreateCounter(name, help, [NodeLabel]).WithLabels(workerId);
}
