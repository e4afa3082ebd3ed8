namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The multi-threaded GEMM of <see cref="CpuBackend"/>: it splits C among the pool's threads and
/// runs the blocked loop nest of the chosen register width on each part, each thread with its own
/// packing workspace (made on the thread's first part, about 1 MB).
/// </summary>
internal sealed unsafe class Gemm : IParallelWork
{
    private readonly WorkerPool pool;
    private readonly SimdWidth width;
    private readonly GemmWorkspace?[] workspaces;
    private GemmProblem problem;
    private int parts;

    public Gemm(WorkerPool pool, SimdWidth width)
    {
        this.pool = pool;
        this.width = width;
        workspaces = new GemmWorkspace[pool.Threads];
    }

    public void Run(in GemmProblem problem)
    {
        if (problem.M == 0 || problem.N == 0) return;
        if (problem.K == 0)
        {
            ScaleC(problem);
            return;
        }
        this.problem = problem;
        parts = GemmPartition.Parts(problem.M, problem.N, problem.K, pool.Threads, KernelRows, KernelColumns);
        if (parts == 1) Execute(0, 0);
        else pool.Run(this, parts);
    }

    public void Execute(int part, int thread)
    {
        var region = GemmPartition.Region(problem.M, problem.N, parts, part, KernelRows, KernelColumns);
        var workspace = workspaces[thread] ??= new GemmWorkspace();
        switch (width)
        {
            case SimdWidth.Bits512:
                GemmBlocked<Simd512>.Compute(problem, region, workspace);
                break;
            case SimdWidth.Bits256:
                GemmBlocked<Simd256>.Compute(problem, region, workspace);
                break;
            default:
                GemmBlocked<Simd128>.Compute(problem, region, workspace);
                break;
        }
    }

    private int KernelRows => width switch
    {
        SimdWidth.Bits512 => GemmBlocked<Simd512>.KernelRows,
        SimdWidth.Bits256 => GemmBlocked<Simd256>.KernelRows,
        _ => GemmBlocked<Simd128>.KernelRows,
    };

    private int KernelColumns => width switch
    {
        SimdWidth.Bits512 => GemmBlocked<Simd512>.KernelColumns,
        SimdWidth.Bits256 => GemmBlocked<Simd256>.KernelColumns,
        _ => GemmBlocked<Simd128>.KernelColumns,
    };

    /// <summary>An empty sum: C = beta * C, or 0 when beta is 0.</summary>
    private static void ScaleC(in GemmProblem problem)
    {
        var c = new Span<float>(problem.C, checked(problem.M * problem.N));
        if (problem.Beta == 0) c.Clear();
        else System.Numerics.Tensors.TensorPrimitives.Multiply(c, problem.Beta, c);
    }
}
