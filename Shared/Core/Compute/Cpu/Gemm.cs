namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The multi-threaded GEMM of <see cref="CpuBackend"/>: it splits C among the pool's threads and
/// runs the blocked loop nest of the chosen register width on each part, each thread with its own
/// packing workspace (made on the thread's first part, about 1 MB).
/// </summary>
internal sealed unsafe class Gemm : IParallelWork
{
    private readonly WorkerPool _pool;
    private readonly SimdWidth _width;
    private readonly GemmWorkspace?[] _workspaces;
    private GemmProblem _problem;
    private int _parts;

    public Gemm(WorkerPool pool, SimdWidth width)
    {
        this._pool = pool;
        this._width = width;
        _workspaces = new GemmWorkspace[pool.Threads];
    }

    public void Run(in GemmProblem problem)
    {
        if (problem.M == 0 || problem.N == 0) return;
        if (problem.K == 0)
        {
            ScaleC(problem);
            return;
        }
        this._problem = problem;
        _parts = GemmPartition.Parts(problem.M, problem.N, problem.K, _pool.Threads, KernelRows, KernelColumns);
        if (_parts == 1) Execute(0, 0);
        else _pool.Run(this, _parts);
    }

    public void Execute(int part, int thread)
    {
        var region = GemmPartition.Region(_problem.M, _problem.N, _parts, part, KernelRows, KernelColumns);
        var workspace = _workspaces[thread] ??= new GemmWorkspace();
        switch (_width)
        {
            case SimdWidth.Bits512:
                GemmBlocked<Simd512>.Compute(_problem, region, workspace);
                break;
            case SimdWidth.Bits256:
                GemmBlocked<Simd256>.Compute(_problem, region, workspace);
                break;
            default:
                GemmBlocked<Simd128>.Compute(_problem, region, workspace);
                break;
        }
    }

    private int KernelRows => _width switch
    {
        SimdWidth.Bits512 => GemmBlocked<Simd512>.KernelRows,
        SimdWidth.Bits256 => GemmBlocked<Simd256>.KernelRows,
        _ => GemmBlocked<Simd128>.KernelRows,
    };

    private int KernelColumns => _width switch
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
