using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// C = alpha * op(A) * op(B) + beta * C, against the reference within float rounding of a dot product.
public abstract partial class BackendContract
{
    public static TheoryData<int, int, int> GemmShapes => new()
    {
        { 1, 1, 1 }, { 1, 17, 3 }, { 3, 1, 17 }, { 17, 3, 1 }, { 3, 17, 33 }, { 33, 33, 33 }, { 8, 32, 16 },
        { 17, 130, 257 }, { 10, 256, 128 },
    };

    [ContractTheory]
    [MemberData(nameof(GemmShapes))]
    public void Gemm_matches_the_reference_for_every_transpose(int m, int n, int k)
    {
        foreach (bool transposeA in new[] { false, true })
            foreach (bool transposeB in new[] { false, true })
            {
                using var both = Compare(m * 7 + n);
                GemmComparison.AssertMatches(both, transposeA, transposeB, m, n, k, 1, 0);
            }
    }

    [ContractTheory]
    [MemberData(nameof(Transposes))]
    public void Gemm_alpha_scales_and_beta_blends_the_old_c(bool transposeA, bool transposeB)
    {
        foreach (var (alpha, beta) in new[] { (0.5f, 1f), (-2f, 0.25f), (1f, -1f), (0f, 3f) })
        {
            using var both = Compare(3);
            GemmComparison.AssertMatches(both, transposeA, transposeB, 37, 45, 70, alpha, beta);
        }
    }
}
