using Xunit;

namespace DistTrainer.Core.Tests.Compute;

/// <summary>
/// One GEMM run in a backend and in the reference on the same random operands, compared element by
/// element. The bound grows with the square root of k times the magnitude of the terms summed, as
/// float rounding errors in a dot product do, so one bound serves every shape.
/// </summary>
internal static class GemmComparison
{
    public static void AssertMatches(BackendComparison both, bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, float beta)
    {
        var a = both.Random(m * k);
        var b = both.Random(k * n);
        var c = both.Random(m * n);
        double[] magnitude = Magnitude(transposeA, transposeB, m, n, k, alpha, a.ReferenceValues, b.ReferenceValues, beta,
            c.ReferenceValues);

        both.Subject.Gemm(transposeA, transposeB, m, n, k, alpha, a.Subject, b.Subject, beta, c.Subject);
        both.Reference.Gemm(transposeA, transposeB, m, n, k, alpha, a.Reference, b.Reference, beta, c.Reference);

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
