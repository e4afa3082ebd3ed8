using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class PixelScaleTests
{
    private static readonly byte[] EveryByte = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();

    [Fact]
    public void Every_byte_becomes_exactly_its_value_divided_by_255_on_both_paths()
    {
        var vectorised = new float[256];
        var scalar = new float[256];

        PixelScale.ToFloats(EveryByte, vectorised);
        PixelScale.ToFloatsScalar(EveryByte, scalar);

        int[] expected = Bits(DatasetRows.Scaled(EveryByte));
        Assert.Equal(expected, Bits(vectorised));
        Assert.Equal(expected, Bits(scalar));
        Assert.Equal(expected, Bits(EveryByte.Select(PixelScale.ToFloat).ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(784)]
    [InlineData(1000)]
    public void The_vectorised_conversion_agrees_with_the_scalar_reference_on_random_rows(int length)
    {
        byte[] pixels = DatasetRows.RandomBytes(length, seed: length);
        var vectorised = new float[length];
        var scalar = new float[length];

        PixelScale.ToFloats(pixels, vectorised);
        PixelScale.ToFloatsScalar(pixels, scalar);

        Assert.Equal(Bits(scalar), Bits(vectorised));
        Assert.Equal(Bits(DatasetRows.Scaled(pixels)), Bits(vectorised));
    }

    [Fact]
    public void Rejects_a_destination_of_another_length()
    {
        Assert.Throws<ArgumentException>(() => PixelScale.ToFloats(new byte[4], new float[3]));
        Assert.Throws<ArgumentException>(() => PixelScale.ToFloatsScalar(new byte[4], new float[5]));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
