using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Compute.Reference;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 17, 3 }, { 3, 1, 17 }, { 17, 3, 1 }, { 3, 17, 33 }, { 33, 33, 33 }, { 8, 32, 16 },
        { 130, 17, 3 }, { 17, 130, 257 }, { 97, 65, 300 }, { 128, 10, 256 }, { 10, 256, 128 }, { 40, 1100, 20 },
        { 128, 256, 784 }, { 17, 33, 1100 },
    };

    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_reference_for_every_transpose(int m, int n, int k)
    {
        foreach (bool transposeA in new[] { false, true })
        foreach (bool transposeB in new[] { false, true })
            Compare(CpuComparison.Create(m * 7 + n), transposeA, transposeB, m, n, k, 1, 0);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Alpha_scales_and_beta_blends_the_old_c(bool transposeA, bool transposeB)
    {
        foreach (var (alpha, beta) in new[] { (0.5f, 1f), (-2f, 0.25f), (1f, -1f), (0f, 3f) })
            Compare(CpuComparison.Create(3), transposeA, transposeB, 37, 45, 70, alpha, beta);
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Beta_zero_ignores_nan_in_c(bool transposeA, bool transposeB)
    {
        using var pair = CpuComparison.Create(4);
        var a = pair.Random(19 * 300);
        var b = pair.Random(300 * 35);
        var c = pair.Of(Enumerable.Repeat(float.NaN, 19 * 35).ToArray());

        pair.Subject.Gemm(transposeA, transposeB, 19, 35, 300, 1.5f, a.Subject, b.Subject, 0, c.Subject);

        Assert.All(c.SubjectValues, v => Assert.False(float.IsNaN(v)));
    }

    [Fact]
    public void An_empty_sum_scales_c_by_beta()
    {
        using var pair = CpuComparison.Create(5);
        var a = pair.Zeros(0);
        var c = pair.Of([1, -2, 3, 4, 5, 6]);

        pair.Subject.Gemm(false, false, 2, 3, 0, 1, a.Subject, a.Subject, 0.5f, c.Subject);

        Assert.Equal([0.5f, -1, 1.5f, 2, 2.5f, 3], c.SubjectValues);
    }

    [Fact]
    public void Narrower_registers_match_the_reference()
    {
        foreach (var width in new[] { SimdWidth.Bits256, SimdWidth.Bits128 })
        foreach (var (m, n, k) in new[] { (1, 1, 1), (7, 9, 5), (33, 17, 130), (97, 65, 300), (13, 1100, 20), (5, 40, 1030) })
        foreach (bool transposeA in new[] { false, true })
        foreach (bool transposeB in new[] { false, true })
            Compare(CpuComparison.Create(m, new CpuBackend(2, width)), transposeA, transposeB, m, n, k, 0.75f, 0.5f);
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

    [Fact]
    public void Slices_too_short_for_the_shape_are_refused()
    {
        using var pair = CpuComparison.Create();
        var a = pair.Zeros(6);
        var c = pair.Zeros(4);

        Assert.Throws<ArgumentException>(() => pair.Subject.Gemm(false, false, 2, 2, 4, 1, a.Subject, a.Subject, 0, c.Subject));
    }

    /// <summary>
    /// Runs one GEMM in both backends; the bound grows with the square root of k times the
    /// magnitude of the terms summed, as float rounding errors in a dot product do.
    /// </summary>
    private static void Compare(BackendComparison pair, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float beta)
    {
        using var _ = pair;
        var a = pair.Random(m * k);
        var b = pair.Random(k * n);
        var c = pair.Random(m * n);
        double[] magnitude = Magnitude(transposeA, transposeB, m, n, k, alpha, a.ReferenceValues, b.ReferenceValues, beta, c.ReferenceValues);

        pair.Subject.Gemm(transposeA, transposeB, m, n, k, alpha, a.Subject, b.Subject, beta, c.Subject);
        pair.Reference.Gemm(transposeA, transposeB, m, n, k, alpha, a.Reference, b.Reference, beta, c.Reference);

        var expected = c.ReferenceValues;
        var actual = c.SubjectValues;
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = 1e-6 * Math.Sqrt(k + 1) * (magnitude[i] + 1e-3);
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
                Assert.Fail($"{(transposeA ? "T" : "N")}{(transposeB ? "T" : "N")} {m}x{n}x{k} alpha {alpha} beta {beta}, " +
                    $"element {i}: expected {expected[i]} got {actual[i]}");
        }
    }

    /// <summary>|alpha| * sum of |a| * |b| + |beta * c|, per element of C.</summary>
    private static double[] Magnitude(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        double[] a, double[] b, float beta, double[] c)
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            double sum = 0;
            for (int p = 0; p < k; p++)
                sum += Math.Abs(transposeA ? a[p * m + i] : a[i * k + p]) * Math.Abs(transposeB ? b[j * k + p] : b[p * n + j]);
            result[i * n + j] = Math.Abs(alpha) * sum + Math.Abs(beta * c[i * n + j]);
        }
        return result;
    }
}
