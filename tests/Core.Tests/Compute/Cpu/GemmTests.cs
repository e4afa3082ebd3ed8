using DistTrainer.Core.Compute.Cpu;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

/// <summary>
/// The CPU GEMM's own machinery: cache blocks, narrower registers and the split between threads. What
/// every backend's GEMM must compute is in the contract that <see cref="CpuBackendContractTests"/> runs.
/// </summary>
public sealed class GemmTests
{
    /// <summary>More rows than an A block (96), more columns than a B block (1024), or a sum over k deeper than 512.</summary>
    public static TheoryData<int, int, int> BlockedShapes => new()
    {
        { 130, 17, 3 }, { 97, 65, 300 }, { 128, 10, 256 }, { 40, 1100, 20 }, { 128, 256, 784 }, { 17, 33, 1100 },
    };

    public static TheoryData<bool, bool> Transposes =>
        new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(BlockedShapes))]
    public void Shapes_that_span_several_cache_blocks_match_the_reference_for_every_transpose(int m, int n, int k)
    {
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
            {
                using var both = CpuComparison.Create(m * 7 + n);
                GemmComparison.AssertMatches(both, transposeA, transposeB, m, n, k, 1, 0);
            }
    }

    [Fact]
    public void Narrower_registers_match_the_reference()
    {
        foreach (var width in new[] { SimdWidth.Bits256, SimdWidth.Bits128 })
            foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 9, 5), (33, 17, 130), (97, 65, 300), (13, 1100, 20), (5, 40, 1030) })
                foreach (bool transposeA in new[] { false, true })
                    foreach (bool transposeB in new[] { false, true })
                    {
                        using var both = CpuComparison.Create(m, new CpuBackend(2, width));
                        GemmComparison.AssertMatches(both, transposeA, transposeB, m, n, k, 0.75f, 0.5f);
                    }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void One_two_and_three_threads_give_the_same_bits(bool transposeA, bool transposeB)
    {
        foreach (var (m, n, k) in new[] { (128, 256, 784), (130, 331, 1100), (331, 130, 257), (256, 784, 128) })
        {
            var results = new[] { 1, 2, 3 }.Select(threads =>
            {
                using var pair = CpuComparison.Create(9, new CpuBackend(threads));
                var a = pair.Random(m * k);
                var b = pair.Random(k * n);
                var c = pair.Random(m * n);
                pair.Subject.Gemm(transposeA, transposeB, m, n, k, 0.5f, a.Subject, b.Subject, 2, c.Subject);
                return c.SubjectValues;
            }).ToArray();

            Assert.Equal(results[0], results[1]);
            Assert.Equal(results[0], results[2]);
        }
    }
}
