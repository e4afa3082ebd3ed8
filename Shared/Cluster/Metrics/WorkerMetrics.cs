using DistTrainer.Cluster.DataPlane;
using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// One worker's metrics, labelled with its id as <c>node</c> (the in-process workers of `train --workers N` share the
/// coordinator's endpoint, a worker program has its own): shards computed, each shard's compute time, and its data-plane
/// traffic in bytes and frames. The traffic is read from the worker's connections when Prometheus scrapes: the totals of
/// the connections it has had before (it reconnects after losing the parameter server) plus the current one's.
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
    private TensorConnection? _connection;

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

    /// <summary>The worker's data plane is now <paramref name="connection"/>; the one before it keeps the counts it reached.</summary>
    public void Attach(TensorConnection connection)
    {
        lock (_lock)
        {
            if (_connection is not null)
            {
                var last = Totals(_connection);
                for (int i = 0; i < _closedTotals.Length; i++) _closedTotals[i] += last[i];
            }
            _connection = connection;
        }
    }

    private void UpdateTraffic()
    {
        lock (_lock)
        {
            var current = _connection is null ? new long[_closedTotals.Length] : Totals(_connection);
            for (int i = 0; i < _traffic.Length; i++) _traffic[i].IncTo(_closedTotals[i] + current[i]);
        }
    }

    private static long[] Totals(TensorConnection connection) =>
        [connection.BytesSent, connection.BytesReceived, connection.FramesSent, connection.FramesReceived];

    private static Counter.Child Traffic(IMetricFactory factory, string name, string help, string workerId) =>
        factory.CreateCounter(name, help, [NodeLabel]).WithLabels(workerId);
}
