using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Core.Tests.Training.WireFormat;

public class Fp16Tests
{
    [Theory]
    [InlineData(0f)]
    [InlineData(-0.0078125f)]
    [InlineData(1f)]
    [InlineData(-0.333251953125f)] // 11 significant bits
    [InlineData(65504f)] // the largest finite half
    [InlineData(6.1035156e-05f)] // the smallest normal half, 2^-14
    [InlineData(5.9604645e-08f)] // the smallest subnormal half, 2^-24
    public void A_value_fp16_can_hold_comes_back_bit_for_bit(float value)
    {
        float back = Fp16.Decode(Fp16.Encode(value));
        Assert.Equal(BitConverter.SingleToUInt32Bits(value), BitConverter.SingleToUInt32Bits(back));
    }

    [Fact]
    public void A_value_halfway_between_two_halves_rounds_to_the_even_one()
    {
        // Halves near 1 are 2^-10 apart: 1 + 2^-11 goes down to 1, 1 + 3 * 2^-11 up to 1 + 2^-9.
        Assert.Equal(1f, Fp16.Decode(Fp16.Encode(1f + MathF.Pow(2, -11))));
        Assert.Equal(1f + MathF.Pow(2, -9), Fp16.Decode(Fp16.Encode(1f + 3 * MathF.Pow(2, -11))));
    }

    [Fact]
    public void Values_beyond_the_range_overflow_to_infinity_and_NaN_stays_NaN()
    {
        Assert.Equal(float.PositiveInfinity, Fp16.Decode(Fp16.Encode(65520f))); // halfway to 2^16 rounds up, out of range
        Assert.Equal(65504f, Fp16.Decode(Fp16.Encode(65519f)));
        Assert.Equal(float.NegativeInfinity, Fp16.Decode(Fp16.Encode(-1e6f)));
        Assert.True(float.IsNaN(Fp16.Decode(Fp16.Encode(float.NaN))));
    }

    [Fact]
    public void Values_below_the_normal_range_become_subnormals_then_zero()
    {
        Assert.Equal(3 * MathF.Pow(2, -24), Fp16.Decode(Fp16.Encode(3 * MathF.Pow(2, -24))));
        Assert.Equal(0f, Fp16.Decode(Fp16.Encode(MathF.Pow(2, -26))));
    }

    [Fact]
    public void The_vectorised_span_versions_agree_with_the_scalar_ones()
    {
        var random = new Random(5);
        var values = Enumerable.Range(0, 1003).Select(_ => (float)(random.NextDouble() - 0.5) * MathF.Pow(2, random.Next(-30, 18))).ToArray();
        values[7] = float.NaN;
        values[8] = 1e9f;
        var encoded = new ushort[values.Length];
        var decoded = new float[values.Length];
        Fp16.Encode(values, encoded);
        Fp16.Decode(encoded, decoded);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(Fp16.Encode(values[i]), encoded[i]);
            Assert.Equal(BitConverter.SingleToUInt32Bits(Fp16.Decode(encoded[i])), BitConverter.SingleToUInt32Bits(decoded[i]));
        }
    }
}
