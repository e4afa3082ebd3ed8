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
    public void With_key_ranges_each_ranges_gradients_begin_on_a_float_of_their_own_and_decode_as_the_uncut_packing_does()
    {
        var uncut = new PackedShardPayload(Layout, WireDtype.Bf16);
        var cut = new PackedShardPayload(Layout, WireDtype.Bf16, [0, 1, 2, 5]);
        float[] payload = [1 + 1f / 1024, 2, 3, 4, 5, 0.1f, 0.2f, 0.3f, 0.4f];
        var packed = new float[cut.Length];
        cut.Pack(payload, packed);

        Assert.Equal((4, 4 + 4), (cut.GradientFloats, cut.Length));
        Assert.Equal([(0, 1), (1, 1), (2, 2)], Enumerable.Range(0, 3).Select(cut.RangeFloats));
        // Ranges 0 and 1 hold one value each: the second half of their float is zero; range 2 starts on a float of its own.
        Assert.Equal(0u, BitConverter.SingleToUInt32Bits(packed[0]) >> 16);
        Assert.Equal(0u, BitConverter.SingleToUInt32Bits(packed[1]) >> 16);
        var one = new float[uncut.Length];
        uncut.Pack(payload, one);
        Assert.Equal(BitConverter.SingleToUInt32Bits(one[1]), BitConverter.SingleToUInt32Bits(packed[2]));
        float[] fromCut = new float[Layout.Length], fromUncut = new float[Layout.Length];
        cut.Unpack(packed, fromCut);
        uncut.Unpack(one, fromUncut);
        Assert.Equal(fromUncut, fromCut);
        Assert.Equal(0.4f, fromCut[^1]);
    }

    [Fact]
    public void Key_range_cuts_that_do_not_cover_the_parameters_in_order_are_refused() =>
        Assert.Equal("key-range cuts [0, 3, 2, 5] do not cover 5 parameters in order (Parameter 'keyRangeCuts')",
            Assert.Throws<ArgumentException>(() => new PackedShardPayload(Layout, WireDtype.Fp16, [0, 3, 2, 5])).Message);

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
