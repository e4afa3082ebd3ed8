using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Core.Tests.Training.WireFormat;

public class Bf16Tests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(-0.0078125f)]
    [InlineData(1f)]
    [InlineData(-2.5f)]
    [InlineData(0.15625f)]
    [InlineData(3.3895314e38f)] // the largest finite bfloat16
    [InlineData(1.1754944e-38f)] // the smallest normal float, representable in bfloat16 too
    public void A_value_bf16_can_hold_comes_back_bit_for_bit(float value)
    {
        float back = Bf16.Decode(Bf16.Encode(value));
        Assert.Equal(BitConverter.SingleToUInt32Bits(value), BitConverter.SingleToUInt32Bits(back));
    }

    [Fact]
    public void A_value_halfway_between_two_bf16_values_rounds_to_the_even_one()
    {
        // 1 + 2^-8 lies halfway between 1 (even mantissa) and 1 + 2^-7 (odd): it goes down.
        Assert.Equal(1f, Bf16.Decode(Bf16.Encode(BitConverter.UInt32BitsToSingle(0x3F80_8000))));
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): it goes up.
        Assert.Equal(0x3F82_0000u, BitConverter.SingleToUInt32Bits(Bf16.Decode(Bf16.Encode(BitConverter.UInt32BitsToSingle(0x3F81_8000)))));
        // Just above halfway rounds up, just below rounds down.
        Assert.Equal(0x3F81_0000u, BitConverter.SingleToUInt32Bits(Bf16.Decode(Bf16.Encode(BitConverter.UInt32BitsToSingle(0x3F80_8001)))));
        Assert.Equal(0x3F80_0000u, BitConverter.SingleToUInt32Bits(Bf16.Decode(Bf16.Encode(BitConverter.UInt32BitsToSingle(0x3F80_7FFF)))));
    }

    [Fact]
    public void NaN_stays_NaN_and_infinities_stay_infinite()
    {
        Assert.True(float.IsNaN(Bf16.Decode(Bf16.Encode(float.NaN))));
        // A NaN whose payload lives only in the low bits would round into an infinity if it were rounded like a number.
        Assert.True(float.IsNaN(Bf16.Decode(Bf16.Encode(BitConverter.UInt32BitsToSingle(0x7F80_0001)))));
        Assert.Equal(float.PositiveInfinity, Bf16.Decode(Bf16.Encode(float.PositiveInfinity)));
        Assert.Equal(float.NegativeInfinity, Bf16.Decode(Bf16.Encode(float.NegativeInfinity)));
    }

    [Fact]
    public void The_largest_floats_round_up_to_infinity_and_subnormals_keep_their_top_bits()
    {
        Assert.Equal(float.PositiveInfinity, Bf16.Decode(Bf16.Encode(float.MaxValue)));
        float subnormal = BitConverter.UInt32BitsToSingle(0x0001_0000); // 2^-133, a bfloat16 subnormal
        Assert.Equal(subnormal, Bf16.Decode(Bf16.Encode(subnormal)));
        Assert.Equal(0f, Bf16.Decode(Bf16.Encode(float.Epsilon)));
    }

    [Fact]
    public void The_vectorised_span_versions_agree_with_the_scalar_ones_bit_for_bit_special_values_included()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 1003).Select(_ => (float)(random.NextDouble() - 0.5) * MathF.Pow(2, random.Next(-40, 40))).ToArray();
        // The cases the vectorised code must get right lane by lane: ties both ways, NaNs (one whose payload is only in
        // the low bits), infinities, the largest float (rounds to infinity), subnormals, signed zeros.
        uint[] special = [0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0x3F80_7FFF, 0x7FC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7F80_0000,
            0xFF80_0000, 0x7F7F_FFFF, 0x0001_0000, 0x0000_0001, 0x8000_0000, 0x0000_0000, 0x807F_FFFF];
        for (int i = 0; i < special.Length; i++) values[i * 61 % values.Length] = BitConverter.UInt32BitsToSingle(special[i]);
        var encoded = new ushort[values.Length];
        var decoded = new float[values.Length];
        Bf16.Encode(values, encoded);
        Bf16.Decode(encoded, decoded);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(Bf16.Encode(values[i]), encoded[i]);
            Assert.Equal(BitConverter.SingleToUInt32Bits(Bf16.Decode(encoded[i])), BitConverter.SingleToUInt32Bits(decoded[i]));
            if (float.IsFinite(decoded[i]) && !float.IsSubnormal(values[i]))
                Assert.True(MathF.Abs(decoded[i] - values[i]) <= MathF.Abs(values[i]) / 256, $"{values[i]} came back as {decoded[i]}");
        }
    }
}
