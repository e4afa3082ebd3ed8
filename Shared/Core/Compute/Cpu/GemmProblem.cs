namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// One call of C = alpha * op(A) * op(B) + beta * C on pinned row-major storage, with each operand
/// described as lines (rows of op(A), columns of op(B)) by depth, the way the packing reads them.
/// </summary>
internal readonly unsafe struct GemmProblem
{
    public GemmProblem(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, float* a, float* b, float beta, float* c)
    {
        M = m;
        N = n;
        K = k;
        Alpha = alpha;
        Beta = beta;
        A = a;
        B = b;
        C = c;
        ALineStride = transposeA ? 1 : k;
        ADepthStride = transposeA ? m : 1;
        BLineStride = transposeB ? k : 1;
        BDepthStride = transposeB ? 1 : n;
    }

    public int M { get; }
    public int N { get; }
    public int K { get; }
    public float Alpha { get; }
    public float Beta { get; }
    public float* A { get; }
    public float* B { get; }
    public float* C { get; }
    public int ALineStride { get; }
    public int ADepthStride { get; }
    public int BLineStride { get; }
    public int BDepthStride { get; }
}
