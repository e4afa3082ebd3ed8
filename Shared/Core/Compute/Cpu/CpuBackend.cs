using System.Numerics.Tensors;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The compute backend for machines without a GPU: a cache-blocked, multi-threaded GEMM with
/// AVX-512 (or narrower) micro-kernels, and vectorised single-threaded element-wise operations.
/// Results do not depend on the thread count. Allocation-free once its scratch has grown to the
/// largest shapes used. One caller at a time.
/// </summary>
public sealed class CpuBackend : IComputeBackend
{
    private readonly WorkerPool _pool;
    private readonly Gemm _gemm;
    private float[] _scratch = [];

    /// <param name="threads">Threads for the GEMM; 0 means <see cref="Environment.ProcessorCount"/>.</param>
    public CpuBackend(int threads = 0)
        : this(threads, SimdWidths.Best)
    {
    }

    /// <summary>A backend whose GEMM uses registers of <paramref name="width"/>, for testing the narrower kernels.</summary>
    internal CpuBackend(int threads, SimdWidth width)
    {
        if (threads < 0)
            throw new InvalidInputException($"CPU threads: {threads} is negative; use 0 for one per processor");
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _pool = new WorkerPool(Threads);
        _gemm = new Gemm(_pool, width);
    }

    public string Name => "cpu";

    /// <summary>The register width, in bits, this machine runs the kernels at: the widest it accelerates.</summary>
    public static int VectorBits => SimdWidths.Best switch
    {
        SimdWidth.Bits512 => 512,
        SimdWidth.Bits256 => 256,
        _ => 128,
    };

    public int Threads { get; }

    public DeviceArray Allocate(int length) => new CpuArray(length);

    /// <summary>The elements of a slice of a <see cref="CpuArray"/>.</summary>
    public static Span<float> View(DeviceSlice slice) =>
        Array(slice).Data.AsSpan(slice.Offset, slice.Length);

    public void Upload(ReadOnlySpan<float> source, DeviceSlice destination)
    {
        var d = View(destination);
        ElementWise.RequireLength(source.Length, d.Length);
        source.CopyTo(d);
    }

    public void Download(DeviceSlice source, Span<float> destination)
    {
        var s = View(source);
        ElementWise.RequireLength(s.Length, destination.Length);
        s.CopyTo(destination);
    }

    public void Fill(DeviceSlice destination, float value) => View(destination).Fill(value);

    public void Copy(DeviceSlice source, DeviceSlice destination)
    {
        var s = View(source);
        var d = View(destination);
        ElementWise.RequireLength(s.Length, d.Length);
        s.CopyTo(d);
    }

    public unsafe void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, DeviceSlice a, DeviceSlice b, float beta, DeviceSlice c)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM shape {m} x {n} x {k}");
        RequireElements(a, (long)m * k, nameof(a));
        RequireElements(b, (long)k * n, nameof(b));
        RequireElements(c, (long)m * n, nameof(c));
        _gemm.Run(new GemmProblem(transposeA, transposeB, m, n, k, alpha, Pointer(a), Pointer(b), beta, Pointer(c)));
    }

    public void AddRowVector(DeviceSlice matrix, int rows, int cols, DeviceSlice vector)
    {
        var mv = Matrix(matrix, rows, cols);
        var vv = Matrix(vector, 1, cols);
        for (int r = 0; r < rows; r++)
        {
            var row = mv.Slice(r * cols, cols);
            TensorPrimitives.Add(row, vv, row);
        }
    }

    public void SumRows(DeviceSlice matrix, int rows, int cols, DeviceSlice result) =>
        ColumnReductions.SumRows(Matrix(matrix, rows, cols), rows, cols, Matrix(result, 1, cols));

    public void ActivationForward(Activation activation, DeviceSlice x, DeviceSlice y) =>
        CpuActivations.Forward(activation, View(x), View(y));

    public void ActivationBackward(Activation activation, DeviceSlice x, DeviceSlice y, DeviceSlice dy, DeviceSlice dx) =>
        CpuActivations.Backward(activation, View(x), View(y), View(dy), View(dx));

    public void SoftmaxForward(DeviceSlice x, DeviceSlice y, int rows, int cols) =>
        CpuSoftmax.Forward(Matrix(x, rows, cols), Matrix(y, rows, cols), rows, cols);

    public void SoftmaxBackward(DeviceSlice y, DeviceSlice dy, DeviceSlice dx, int rows, int cols) =>
        CpuSoftmax.Backward(Matrix(y, rows, cols), Matrix(dy, rows, cols), Matrix(dx, rows, cols), rows, cols);

    public void ColumnMeanVariance(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance) =>
        ColumnReductions.MeanVariance(Matrix(x, rows, cols), rows, cols, Matrix(mean, 1, cols), Matrix(variance, 1, cols));

    public void BatchNormForward(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice beta, DeviceSlice xHat, DeviceSlice y) =>
        CpuBatchNorm.Forward(Matrix(x, rows, cols), rows, cols, Matrix(mean, 1, cols), Matrix(variance, 1, cols), eps,
            Matrix(gamma, 1, cols), Matrix(beta, 1, cols), Matrix(xHat, rows, cols), Matrix(y, rows, cols), Scratch(cols));

    public void BatchNormBackwardReduce(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice dGamma, DeviceSlice dBeta) =>
        ColumnReductions.BatchNormBackward(Matrix(dy, rows, cols), Matrix(xHat, rows, cols), rows, cols,
            Matrix(dGamma, 1, cols), Matrix(dBeta, 1, cols));

    public void BatchNormBackwardInput(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice dGamma, DeviceSlice dBeta, int count, DeviceSlice dx) =>
        CpuBatchNorm.BackwardInput(Matrix(dy, rows, cols), Matrix(xHat, rows, cols), rows, cols, Matrix(variance, 1, cols), eps,
            Matrix(gamma, 1, cols), Matrix(dGamma, 1, cols), Matrix(dBeta, 1, cols), count, Matrix(dx, rows, cols), Scratch(3 * cols));

    public void UpdateRunningStatistics(DeviceSlice runningMean, DeviceSlice runningVariance,
        DeviceSlice batchMean, DeviceSlice batchVariance, int count, float momentum) =>
        CpuBatchNorm.UpdateRunningStatistics(View(runningMean), View(runningVariance), View(batchMean), View(batchVariance),
            count, momentum);

    public void DropoutForward(DeviceSlice x, int rows, int cols, int rowOffset, float p, ulong seed, DeviceSlice mask, DeviceSlice y) =>
        CpuDropout.Forward(Matrix(x, rows, cols), rows, cols, rowOffset, p, seed, Matrix(mask, rows, cols), Matrix(y, rows, cols));

    public void Multiply(DeviceSlice a, DeviceSlice b, DeviceSlice result)
    {
        var rv = View(result);
        ElementWise.RequireLength(View(a).Length, rv.Length);
        ElementWise.RequireLength(View(b).Length, rv.Length);
        TensorPrimitives.Multiply(View(a), View(b), rv);
    }

    public double Loss(LossKind kind, DeviceSlice output, DeviceSlice targets, int rows, int cols, float gradScale, DeviceSlice grad) =>
        CpuLosses.Compute(kind, Matrix(output, rows, cols),
            kind == LossKind.CrossEntropy ? Matrix(targets, rows, 1) : Matrix(targets, rows, cols),
            rows, cols, gradScale, Matrix(grad, rows, cols));

    public void Dispose() => _pool.Dispose();

    private static CpuArray Array(DeviceSlice slice) =>
        slice.Array as CpuArray
        ?? throw new ArgumentException($"a slice of {slice.Array.GetType().Name} passed to the CPU backend", nameof(slice));

    private static unsafe float* Pointer(DeviceSlice slice) => Array(slice).Pointer + slice.Offset;

    /// <summary>The first rows * cols elements of a slice, which must have at least that many.</summary>
    private static Span<float> Matrix(DeviceSlice slice, int rows, int cols)
    {
        long length = (long)rows * cols;
        RequireElements(slice, length, nameof(slice));
        return View(slice).Slice(0, (int)length);
    }

    private static void RequireElements(DeviceSlice slice, long length, string name)
    {
        if (length < 0 || slice.Length < length)
            throw new ArgumentException($"a slice of {slice.Length} elements where {length} are needed", name);
    }

    /// <summary>Working space that grows to the largest size asked for and is reused after.</summary>
    private Span<float> Scratch(int length)
    {
        if (_scratch.Length < length) _scratch = new float[length];
        return _scratch.AsSpan(0, length);
    }
}
