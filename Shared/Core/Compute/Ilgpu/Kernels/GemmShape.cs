using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// The scalars of one GEMM launch, passed to a kernel as one argument. The transpose flags are
/// ints rather than bools so that the struct has the same plain layout on every accelerator.
/// </summary>
internal readonly struct GemmShape(int m, int n, int k, float alpha, float beta, bool transposeA, bool transposeB)
{
    public readonly int M = m;
    public readonly int N = n;
    public readonly int K = k;
    public readonly float Alpha = alpha;
    public readonly float Beta = beta;
    public readonly int TransposeA = transposeA ? 1 : 0;
    public readonly int TransposeB = transposeB ? 1 : 0;

    /// <summary>Where op(A)[row, p] is stored.</summary>
    public int AIndex(int row, int p) => TransposeA != 0 ? p * M + row : row * K + p;

    /// <summary>Where op(B)[p, col] is stored.</summary>
    public int BIndex(int p, int col) => TransposeB != 0 ? col * K + p : p * N + col;

    /// <summary>C[row, col] = alpha * sum + beta * C[row, col]; C is not read when beta is 0, so NaN there does not leak.</summary>
    public void Store(ArrayView<float> c, int row, int col, float sum)
    {
        int index = row * N + col;
        c[index] = Beta == 0 ? Alpha * sum : Alpha * sum + Beta * c[index];
    }
}
