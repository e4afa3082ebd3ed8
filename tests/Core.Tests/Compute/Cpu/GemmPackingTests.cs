using DistTrainer.Core.Compute.Cpu;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed unsafe class GemmPackingTests
{
    public static TheoryData<int, int, int> Blocks => new()
    {
        { 1, 1, 8 }, { 5, 17, 8 }, { 8, 16, 8 }, { 13, 50, 8 }, { 16, 16, 8 }, { 17, 33, 8 }, { 40, 15, 8 },
        { 1, 1, 32 }, { 10, 16, 32 }, { 31, 47, 32 }, { 32, 64, 32 }, { 70, 19, 32 },
        { 9, 20, 16 }, { 33, 17, 16 }, { 7, 9, 6 }, { 20, 33, 6 },
    };

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Lines_along_memory_pack_as_the_scalar_definition(int lines, int depth, int width)
    {
        int lineStride = depth + 3;
        ComparePacking(lines, depth, width, lineStride, 1, lines * lineStride);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Adjacent_lines_pack_as_the_scalar_definition(int lines, int depth, int width)
    {
        int depthStride = lines + 5;
        ComparePacking(lines, depth, width, 1, depthStride, depth * depthStride);
    }

    [Fact]
    public void The_scalar_definition_transposes_and_pads_with_zeros()
    {
        // Three lines of depth two, stored line after line, in panels of two lines.
        float[] source = [1, 2, 3, 4, 5, 6];
        var packed = new float[8];

        fixed (float* s = source)
        fixed (float* d = packed)
            GemmPacking.PackScalar(s, 2, 1, 3, 2, 2, d);

        Assert.Equal([1, 3, 2, 4, 5, 0, 6, 0], packed);
    }

    /// <summary>
    /// The fast path must agree with <see cref="GemmPacking.PackScalar"/> on every real line and
    /// write nothing past the last panel.
    /// </summary>
    private static void ComparePacking(int lines, int depth, int width, int lineStride, int depthStride, int sourceLength)
    {
        var random = new Random(lines * 100 + depth);
        var source = new float[sourceLength];
        for (int i = 0; i < source.Length; i++) source[i] = random.NextSingle() + 1;
        int panels = (lines + width - 1) / width;
        int packedLength = panels * width * depth;
        var expected = new float[packedLength];
        var actual = Enumerable.Repeat(float.NaN, packedLength + 64).ToArray();

        fixed (float* s = source)
        fixed (float* e = expected)
        fixed (float* a = actual)
        {
            GemmPacking.PackScalar(s, lineStride, depthStride, lines, depth, width, e);
            GemmPacking.Pack(s, lineStride, depthStride, lines, depth, width, a);
        }

        for (int i = 0; i < packedLength; i++)
        {
            int line = i / (width * depth) * width + i % width;
            if (line < lines) Assert.Equal(expected[i], actual[i]);
        }
        Assert.All(actual[packedLength..], v => Assert.True(float.IsNaN(v)));
    }
}
