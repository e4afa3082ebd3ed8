using DistTrainer.Core.Compute.Ilgpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DistTrainer.Core.Compute.Ilgpu;

/// <summary>
/// The compute operations as ILGPU kernels on one accelerator (CUDA, OpenCL or ILGPU's CPU
/// simulator), in float32. Kernels run asynchronously on the accelerator's default stream, in
/// order; <see cref="Download"/> and <see cref="Loss"/> wait for them. Not thread-safe: one
/// caller at a time.
/// </summary>
public sealed partial class IlgpuBackend : IComputeBackend
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly LoadedKernels _kernels;
    private readonly ScratchBuffer _scratch;
    private bool _disposed;

    /// <summary>Takes ownership of the context and the accelerator once constructed.</summary>
    private IlgpuBackend(Context context, Accelerator accelerator, GemmKernelChoice gemm)
    {
        this._context = context;
        this._accelerator = accelerator;
        _kernels = new LoadedKernels(accelerator, gemm);
        _scratch = new ScratchBuffer(accelerator);
    }

    public string Name => $"ilgpu {_accelerator.AcceleratorType} ({_accelerator.Name}, GEMM: {_kernels.GemmDescription})";

    /// <summary>The device's own name, as its driver reports it.</summary>
    public string AcceleratorName => _accelerator.Name;

    public AcceleratorType AcceleratorType => _accelerator.AcceleratorType;

    /// <summary>Which GEMM kernel runs: shared-memory tiles on GPUs, one thread per output on the CPU simulator.</summary>
    public string GemmKernel => _kernels.GemmDescription;

    /// <summary>Elements in the scratch buffer now: stays put once the largest call has been seen.</summary>
    internal long ScratchCapacity => _scratch.Capacity;

    public DeviceArray Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new IlgpuArray(_accelerator, length);
    }

    public void Upload(ReadOnlySpan<float> source, DeviceSlice destination)
    {
        RequireSameLength(source.Length, destination.Length);
        if (source.Length == 0) return;
        View(destination, nameof(destination)).CopyFromCPU(_accelerator.DefaultStream, source);
    }

    public void Download(DeviceSlice source, Span<float> destination)
    {
        RequireSameLength(source.Length, destination.Length);
        if (source.Length == 0) return;
        View(source, nameof(source)).CopyToCPU(_accelerator.DefaultStream, destination);
    }

    public void Fill(DeviceSlice destination, float value)
    {
        if (destination.Length == 0) return;
        _kernels.Fill(destination.Length, View(destination, nameof(destination)), value);
    }

    public void Copy(DeviceSlice source, DeviceSlice destination)
    {
        RequireSameLength(source.Length, destination.Length);
        if (source.Length == 0) return;
        View(source, nameof(source)).CopyTo(_accelerator.DefaultStream, View(destination, nameof(destination)));
    }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, DeviceSlice a, DeviceSlice b, float beta, DeviceSlice c)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        _kernels.Gemm(View(a, (long)m * k, nameof(a)), View(b, (long)k * n, nameof(b)), View(c, (long)m * n, nameof(c)),
            new GemmShape(m, n, k, alpha, beta, transposeA, transposeB));
    }

    public void AddRowVector(DeviceSlice matrix, int rows, int cols, DeviceSlice vector)
    {
        int length = Elements(rows, cols);
        if (length == 0) return;
        _kernels.AddRowVector(length, View(matrix, length, nameof(matrix)), View(vector, cols, nameof(vector)), cols);
    }

    public void SumRows(DeviceSlice matrix, int rows, int cols, DeviceSlice result)
    {
        int length = Elements(rows, cols);
        if (cols == 0) return;
        _kernels.SumRows(cols, View(matrix, length, nameof(matrix)), View(result, cols, nameof(result)), rows, cols);
    }

    public void ActivationForward(Activation activation, DeviceSlice x, DeviceSlice y)
    {
        RequireKnown(activation);
        int length = x.Length;
        if (length == 0) return;
        _kernels.ActivationForward(length, View(x, length, nameof(x)), View(y, length, nameof(y)),
            (int)activation.Kind, activation.Slope);
    }

    public void ActivationBackward(Activation activation, DeviceSlice x, DeviceSlice y, DeviceSlice dy, DeviceSlice dx)
    {
        RequireKnown(activation);
        int length = x.Length;
        if (length == 0) return;
        _kernels.ActivationBackward(length, View(x, length, nameof(x)), View(y, length, nameof(y)),
            View(dy, length, nameof(dy)), View(dx, length, nameof(dx)), (int)activation.Kind, activation.Slope);
    }

    public void SoftmaxForward(DeviceSlice x, DeviceSlice y, int rows, int cols)
    {
        int length = Elements(rows, cols);
        if (length == 0) return;
        _kernels.SoftmaxForward(rows, View(x, length, nameof(x)), View(y, length, nameof(y)), cols);
    }

    public void SoftmaxBackward(DeviceSlice y, DeviceSlice dy, DeviceSlice dx, int rows, int cols)
    {
        int length = Elements(rows, cols);
        if (length == 0) return;
        _kernels.SoftmaxBackward(rows, View(y, length, nameof(y)), View(dy, length, nameof(dy)),
            View(dx, length, nameof(dx)), cols);
    }

    public void ColumnMeanVariance(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance)
    {
        int length = Elements(rows, cols);
        if (cols == 0) return;
        _kernels.ColumnMeanVariance(cols, View(x, length, nameof(x)), View(mean, cols, nameof(mean)),
            View(variance, cols, nameof(variance)), rows, cols);
    }

    public void BatchNormForward(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice beta, DeviceSlice xHat, DeviceSlice y)
    {
        int length = Elements(rows, cols);
        if (length == 0) return;
        _kernels.BatchNormForward(length, View(x, length, nameof(x)), View(mean, cols, nameof(mean)),
            View(variance, cols, nameof(variance)), View(gamma, cols, nameof(gamma)), View(beta, cols, nameof(beta)),
            View(xHat, length, nameof(xHat)), View(y, length, nameof(y)), cols, eps);
    }

    public void BatchNormBackwardReduce(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice dGamma, DeviceSlice dBeta)
    {
        int length = Elements(rows, cols);
        if (cols == 0) return;
        _kernels.BatchNormBackwardReduce(cols, View(dy, length, nameof(dy)), View(xHat, length, nameof(xHat)),
            View(dGamma, cols, nameof(dGamma)), View(dBeta, cols, nameof(dBeta)), rows, cols);
    }

    public void BatchNormBackwardInput(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice dGamma, DeviceSlice dBeta, int count, DeviceSlice dx)
    {
        int length = Elements(rows, cols);
        if (length == 0) return;
        _kernels.BatchNormBackwardInput(length, View(dy, length, nameof(dy)), View(xHat, length, nameof(xHat)),
            View(variance, cols, nameof(variance)), View(gamma, cols, nameof(gamma)), View(dGamma, cols, nameof(dGamma)),
            View(dBeta, cols, nameof(dBeta)), View(dx, length, nameof(dx)), cols, eps, count);
    }

    public void UpdateRunningStatistics(DeviceSlice runningMean, DeviceSlice runningVariance,
        DeviceSlice batchMean, DeviceSlice batchVariance, int count, float momentum)
    {
        int cols = runningMean.Length;
        if (cols == 0) return;
        _kernels.UpdateRunningStatistics(cols, View(runningMean, cols, nameof(runningMean)),
            View(runningVariance, cols, nameof(runningVariance)), View(batchMean, cols, nameof(batchMean)),
            View(batchVariance, cols, nameof(batchVariance)), momentum, (float)((double)count / (count - 1)));
    }

    public void DropoutForward(DeviceSlice x, int rows, int cols, int rowOffset, float p, ulong seed, DeviceSlice mask, DeviceSlice y)
    {
        int length = Elements(rows, cols);
        if (length == 0) return;
        float scale = p >= 1 ? 0f : (float)(1.0 / (1.0 - p));
        _kernels.DropoutForward(length, View(x, length, nameof(x)), View(mask, length, nameof(mask)), View(y, length, nameof(y)),
            (long)rowOffset * cols, p, scale, seed);
    }

    public void Multiply(DeviceSlice a, DeviceSlice b, DeviceSlice result)
    {
        int length = result.Length;
        if (length == 0) return;
        _kernels.Multiply(length, View(a, length, nameof(a)), View(b, length, nameof(b)), View(result, length, nameof(result)));
    }

    public double Loss(LossKind kind, DeviceSlice output, DeviceSlice targets, int rows, int cols, float gradScale, DeviceSlice grad)
    {
        int length = Elements(rows, cols);
        if (length == 0) return 0;
        bool perRow = kind == LossKind.CrossEntropy;
        if (!perRow && !Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss");
        int losses = perRow ? rows : length;
        var outputView = View(output, length, nameof(output));
        var targetsView = View(targets, losses, nameof(targets));
        var gradView = View(grad, length, nameof(grad));
        var lossView = _scratch.Device(losses);
        if (perRow)
            _kernels.CrossEntropy(rows, outputView, targetsView, gradView, lossView, cols, gradScale);
        else
            _kernels.ElementwiseLoss(length, outputView, targetsView, gradView, lossView, (int)kind, gradScale);

        var host = _scratch.Host(losses);
        lossView.CopyToCPU(_accelerator.DefaultStream, host);
        double total = 0;
        foreach (var loss in host) total += loss;
        return total;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _scratch.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    private ArrayView1D<float, Stride1D.Dense> View(DeviceSlice slice, string name)
    {
        if (slice.Array is not IlgpuArray array || array.Accelerator != _accelerator)
            throw new ArgumentException($"{name} does not belong to this backend ({Name})", name);
        return array.View(slice.Offset, slice.Length);
    }

    /// <summary>The first <paramref name="needed"/> elements of a slice, which must hold that many.</summary>
    private ArrayView1D<float, Stride1D.Dense> View(DeviceSlice slice, long needed, string name)
    {
        if (slice.Length < needed)
            throw new ArgumentException($"{name} holds {slice.Length} elements, the operation needs {needed}", name);
        return View(slice.Take((int)needed), name);
    }

    private static int Elements(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        return checked(rows * cols);
    }

    private static void RequireKnown(Activation activation)
    {
        if (!Enum.IsDefined(activation.Kind))
            throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "unknown activation");
    }

    private static void RequireSameLength(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"length mismatch: {source} elements into {destination}");
    }
}
