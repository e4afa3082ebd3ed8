using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Cluster.Tests.DataPlane;
using Prometheus;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

public sealed class WorkerMetricsTests : IDisposable
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly LoopbackServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Shards_and_their_compute_time_are_counted_under_the_worker_s_id()
    {
        var metrics = new WorkerMetrics(_registry, "worker-7");

        metrics.ShardComputed(0.5);
        metrics.ShardComputed(0.25);
        var exposition = Exposition.Of(_registry);

        Assert.Equal(2, exposition.Value("disttrainer_worker_shards_computed_total{node=\"worker-7\"}"));
        Assert.Equal(2, exposition.Value("disttrainer_worker_compute_seconds_count{node=\"worker-7\"}"));
        Assert.Equal(0.75, exposition.Value("disttrainer_worker_compute_seconds_sum{node=\"worker-7\"}"), 9);
    }

    [Fact]
    public void Traffic_adds_up_the_connections_a_worker_had_before_and_the_one_it_has_now()
    {
        var metrics = new WorkerMetrics(_registry, "worker-1");
        using var first = _server.Connect("worker-1");
        SendOneFrame(first, floats: 100);
        metrics.Attach([first]);
        using var second = _server.Connect("worker-1");
        SendOneFrame(second, floats: 300);
        metrics.Attach([second]);

        var exposition = Exposition.Of(_registry);

        Assert.Equal(first.BytesSent + second.BytesSent, exposition.Value("disttrainer_worker_data_plane_sent_bytes_total{node=\"worker-1\"}"));
        Assert.Equal(first.FramesSent + second.FramesSent, exposition.Value("disttrainer_worker_data_plane_sent_frames_total{node=\"worker-1\"}"));
        Assert.True(first.BytesSent >= 400 && second.BytesSent >= 1200, $"sent {first.BytesSent} and {second.BytesSent} bytes");
        Assert.Equal(first.BytesReceived + second.BytesReceived,
            exposition.Value("disttrainer_worker_data_plane_received_bytes_total{node=\"worker-1\"}"));
    }

    /// <summary>Sends a frame and waits until the sender has counted it: the counts are final when the test reads them.</summary>
    private void SendOneFrame(TensorConnection connection, int floats)
    {
        long frames = connection.FramesSent;
        Assert.True(connection.Send(new FrameHeader(FrameKind.Gradients, Step: 1), new float[floats]));
        _server.NextConnection().NextFrame();
        Assert.True(SpinWait.SpinUntil(() => connection.FramesSent > frames, TimeSpan.FromSeconds(5)), "the frame was never counted as sent");
    }
}
