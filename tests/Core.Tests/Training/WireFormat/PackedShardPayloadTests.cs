using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Core.Tests.Training.WireFormat;

public class PackedShardPayloadTests
{
    // 5 parameters (an odd count: the last float carries one half and a zero) and one batch-norm layer of width 2.
    private static readonly ShardPayloadLayout Layout = new(5, [2]);

    [Fact]
    public void Gradients_go_two_to_a_float_and_the_moments_stay_float32()
    {
        var packing = new PackedShardPayload(Layout, WireDtype.Bf16);
        float[] payload = [1, 2, 3, 4, 1 + 1f / 1024, 0.1f, 0.2f, 0.3f, 0.4f];
        var packed = new float[packing.Length];
        packing.Pack(payload, packed);

        Assert.Equal(3 + 4, packing.Length);
        Assert.Equal(0u, BitConverter.SingleToUInt32Bits(packed[2]) >> 16);
        var back = new float[Layout.Length];
        packing.Unpack(packed, back);
        Assert.Equal([1f, 2, 3, 4, 1, 0.1f, 0.2f, 0.3f, 0.4f], back);
    }

    [Fact]
    public void A_packed_result_of_another_length_is_refused_with_both_lengths()
    {
        var packing = new PackedShardPayload(Layout, WireDtype.Fp16);
        var error = Assert.Throws<InvalidDataException>(() => packing.Unpack(new float[packing.Length + 1], new float[Layout.Length]));
        Assert.Equal("a fp16 shard result of 32 bytes; this model's is 28 bytes", error.Message);
    }

    [Fact]
    public void Fp32_is_never_packed() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PackedShardPayload(Layout, WireDtype.Fp32));
}
