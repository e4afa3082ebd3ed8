using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

public sealed class PackedResultsTests
{
    private static readonly ShardPayloadLayout Layout = new(3, [1]);

    [Fact]
    public void A_bf16_result_becomes_the_float32_result_and_its_packed_payload_goes_back_to_the_pool()
    {
        var pool = new PayloadPool();
        var packing = new PackedShardPayload(Layout, WireDtype.Bf16);
        var packed = pool.Rent(packing.Length);
        packing.Pack([0.5f, -2, 1 + 1f / 1024, 7, 9], packed);

        var result = new PackedResults(Layout, pool).Unpack(Frame(FrameKind.GradientsBf16, packed), WireDtype.Bf16);

        Assert.Equal([0.5f, -2, 1, 7, 9], result);
        Assert.Equal(packing.Length * sizeof(float), pool.PooledBytes);
    }

    [Fact]
    public void A_result_whose_length_does_not_match_its_dtype_is_a_malformed_frame()
    {
        var pool = new PayloadPool();
        // The float32 length of this model's result, sent as if it were fp16.
        var wrong = pool.Rent(Layout.Length);

        var error = Assert.Throws<FrameProtocolException>(() =>
            new PackedResults(Layout, pool).Unpack(Frame(FrameKind.GradientsFp16, wrong, step: 4, shard: 1), WireDtype.Fp16));

        Assert.Equal("malformed GradientsFp16 frame of step 5 shard 1: 20 payload bytes; a fp16 result of this model has 16", error.Message);
        Assert.Equal(Layout.Length * sizeof(float), pool.PooledBytes);
    }

    private static ReceivedFrame Frame(FrameKind kind, float[] payload, long step = 0, int shard = 0) =>
        new(new FrameHeader(kind, step, ShardId: shard, PayloadBytes: payload.Length * sizeof(float)), payload);
}
