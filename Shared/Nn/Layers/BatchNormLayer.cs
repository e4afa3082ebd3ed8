using DistTrainer.Shared.Compute;
using DistTrainer.Shared.Nn.Init;

namespace DistTrainer.Shared.Nn.Layers;

/// <summary>
/// nn.BatchNorm1d(width): in training, normalises with the batch mean and biased variance and
/// folds them into running statistics (momentum 0.1, unbiased variance); at inference, normalises
/// with the running statistics. Parameters weight (gamma) and bias (beta); buffers running_mean,
/// running_var; num_batches_tracked is a host counter.
/// </summary>
public sealed class BatchNormLayer(int width) : Layer(width, width)
{
    public const float Epsilon = 1e-5f;
    public const float Momentum = 0.1f;

    private DeviceSlice _gamma, _beta, _gammaGradient, _betaGradient, _runningMean, _runningVariance;
    private DeviceArray? _batchMean, _batchVariance, _xHat;

    public long BatchesTracked { get; set; }

    public override string Describe() => $"batchnorm:{InputWidth}";

    public override IReadOnlyList<TensorSpec> Parameters => [new("weight", [InputWidth]), new("bias", [InputWidth])];

    public override IReadOnlyList<TensorSpec> Buffers => [new("running_mean", [InputWidth]), new("running_var", [InputWidth])];

    public override void Bind(IComputeBackend backend, DeviceSlice parameters, DeviceSlice gradients, DeviceSlice buffers, int maxRows)
    {
        base.Bind(backend, parameters, gradients, buffers, maxRows);
        int n = InputWidth;
        _gamma = parameters.Slice(0, n);
        _beta = parameters.Slice(n, n);
        _gammaGradient = gradients.Slice(0, n);
        _betaGradient = gradients.Slice(n, n);
        _runningMean = buffers.Slice(0, n);
        _runningVariance = buffers.Slice(n, n);
        _batchMean = backend.Allocate(n);
        _batchVariance = backend.Allocate(n);
        _xHat = backend.Allocate(maxRows * n);
    }

    public override void Initialize(Span<float> parameters, Span<float> buffers, SeededRandom random)
    {
        int n = InputWidth;
        parameters[..n].Fill(1f);
        parameters.Slice(n, n).Clear();
        buffers[..n].Clear();
        buffers.Slice(n, n).Fill(1f);
        BatchesTracked = 0;
    }

    public override void Forward(in StepContext context, DeviceSlice input, DeviceSlice output, int rows)
    {
        int n = InputWidth;
        var xHat = _xHat!.Slice(0, rows * n);
        if (!context.Training)
        {
            Backend.BatchNormForward(input, rows, n, _runningMean, _runningVariance, Epsilon, _gamma, _beta, xHat, output);
            return;
        }
        if (rows < 2)
            throw new InvalidInputException(
                $"batchnorm:{n}: a training batch needs more than 1 row to take a variance (got {rows}); use a larger --batch-size");
        Backend.ColumnMeanVariance(input, rows, n, _batchMean!.All, _batchVariance!.All);
        Backend.BatchNormForward(input, rows, n, _batchMean.All, _batchVariance.All, Epsilon, _gamma, _beta, xHat, output);
        Backend.UpdateRunningStatistics(_runningMean, _runningVariance, _batchMean.All, _batchVariance.All, rows, Momentum);
        BatchesTracked++;
    }

    public override void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows)
    {
        int n = InputWidth;
        var xHat = _xHat!.Slice(0, rows * n);
        Backend.BatchNormBackwardReduce(outputGradient, xHat, rows, n, _gammaGradient, _betaGradient);
        if (inputGradient is { } dx)
            Backend.BatchNormBackwardInput(outputGradient, xHat, rows, n, _batchVariance!.All, Epsilon, _gamma,
                _gammaGradient, _betaGradient, rows, dx);
    }

    public override void Dispose()
    {
        _batchMean?.Dispose();
        _batchVariance?.Dispose();
        _xHat?.Dispose();
    }
}
