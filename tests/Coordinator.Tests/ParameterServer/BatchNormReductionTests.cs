using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training.Sharding;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>
/// Synchronised batch norm on the parameter server, one layer of width 2 and two shards of two rows,
/// with peers that are names and frames that are recorded instead of sent.
/// </summary>
public sealed class BatchNormReductionTests
{
    private static readonly Shard[] TwoShards = [new(0, 0, 2), new(1, 2, 2)];

    private readonly CollectingSink _sink = new();
    private readonly List<(string Peer, FrameHeader Header, float[] Values)> _sent = [];
    private readonly BatchNormReduction<string> _reduction;

    public BatchNormReductionTests() =>
        _reduction = new BatchNormReduction<string>([2], (peer, header, values) => _sent.Add((peer, header, values.ToArray())), _sink.CreateLogger());

    private void Offer(StatisticsKind kind, string peer, int shard, float[] values, int attempt = 0, int layer = 0) =>
        _reduction.Offer(kind, peer, peer, new FrameHeader(FrameKind.Moments, 3, ShardId: shard, Layer: layer, SampleCount: 2, Attempt: attempt),
            values);

    [Fact]
    public void Moments_of_every_shard_are_merged_in_shard_order_and_sent_to_each_peer_that_offered()
    {
        _reduction.Begin(3, 0, TwoShards);

        Offer(StatisticsKind.Moments, "b", 1, [3, 4, 0, 0]);
        Assert.Empty(_sent);
        Offer(StatisticsKind.Moments, "a", 0, [1, 2, 0, 0]);

        var reply = new FrameHeader(FrameKind.MomentsReduced, 3, Layer: 0, SampleCount: 4, Attempt: 0);
        Assert.Equal(["b", "a"], _sent.Select(s => s.Peer));
        Assert.All(_sent, s => Assert.Equal(reply, s.Header));
        Assert.All(_sent, s => Assert.Equal([2f, 3f, 1f, 1f], s.Values));
    }

    [Fact]
    public void Gradient_sums_of_every_shard_are_added_and_answered_as_gradient_sums()
    {
        _reduction.Begin(3, 0, TwoShards);

        Offer(StatisticsKind.GradientSums, "a", 0, [1, 2, 3, 4]);
        Offer(StatisticsKind.GradientSums, "b", 1, [10, 20, 30, 40]);

        Assert.Equal(2, _sent.Count);
        Assert.All(_sent, s => Assert.Equal(new FrameHeader(FrameKind.GradientSumsReduced, 3, SampleCount: 4), s.Header));
        Assert.All(_sent, s => Assert.Equal([11f, 22f, 33f, 44f], s.Values));
    }

    [Fact]
    public void Statistics_for_a_layer_the_model_lacks_are_logged_and_answered_with_an_abandon()
    {
        _reduction.Begin(3, 0, TwoShards);

        Offer(StatisticsKind.Moments, "a", 0, [1, 2, 0, 0], layer: 5);

        var (peer, header, values) = Assert.Single(_sent);
        Assert.Equal(("a", new FrameHeader(FrameKind.MomentsReduced, 3, Layer: 5, SampleCount: -1)), (peer, header));
        Assert.Empty(values);
        var logged = Assert.Single(_sink.Events, e => e.Level == LogEventLevel.Warning);
        Assert.Contains("batch-norm layer 5 does not exist", logged.RenderMessage());
    }

    [Fact]
    public void A_new_attempt_tells_every_peer_still_waiting_on_the_old_one_to_abandon_it()
    {
        _reduction.Begin(3, 0, TwoShards);
        Offer(StatisticsKind.Moments, "a", 0, [1, 2, 0, 0]);

        _reduction.Begin(3, 1, TwoShards);

        var (peer, header, values) = Assert.Single(_sent);
        Assert.Equal(("a", new FrameHeader(FrameKind.MomentsReduced, 3, SampleCount: -1, Attempt: 0)), (peer, header));
        Assert.Empty(values);

        Offer(StatisticsKind.GradientSums, "b", 1, [1, 2, 3, 4], attempt: 0);
        Assert.Equal(("b", new FrameHeader(FrameKind.GradientSumsReduced, 3, SampleCount: -1, Attempt: 0)), (_sent[1].Peer, _sent[1].Header));
    }
}
