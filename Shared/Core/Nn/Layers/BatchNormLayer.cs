using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Init;

namespace DistTrainer.Core.Nn.Layers;

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
    private DeviceArray? _batchMean, _batchVariance, _xHat, _globalGammaGradient, _globalBetaGradient;
    private IBatchStatisticsExchange? _exchange;
    private int _exchangeIndex, _globalRows;
    private float[] _hostMean = [], _hostVariance = [], _hostGammaGradient = [], _hostBetaGradient = [];

    public long BatchesTracked { get; set; }

    /// <summary>The mean of the last training batch (after synchronisation, of the global batch).</summary>
    public DeviceSlice BatchMean => _batchMean!.All;

    /// <summary>The biased variance of the last training batch (after synchronisation, of the global batch).</summary>
    public DeviceSlice BatchVariance => _batchVariance!.All;

    /// <summary>
    /// Makes training passes normalise with the statistics of the global batch, obtained through
    /// <paramref name="exchange"/> as batch-norm layer number <paramref name="index"/>; null restores
    /// per-batch statistics.
    /// </summary>
    public void Synchronise(IBatchStatisticsExchange? exchange, int index)
    {
        _exchange = exchange;
        _exchangeIndex = index;
        if (exchange is null || _hostMean.Length == InputWidth) return;
        int n = InputWidth;
        _hostMean = new float[n];
        _hostVariance = new float[n];
        _hostGammaGradient = new float[n];
        _hostBetaGradient = new float[n];
        _globalGammaGradient = Backend.Allocate(n);
        _globalBetaGradient = Backend.Allocate(n);
    }

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
        _globalRows = rows;
        if (_exchange is not null)
        {
            Backend.Download(_batchMean.All, _hostMean);
            Backend.Download(_batchVariance.All, _hostVariance);
            _globalRows = _exchange.ReduceMoments(_exchangeIndex, rows, _hostMean, _hostVariance);
            Backend.Upload(_hostMean, _batchMean.All);
            Backend.Upload(_hostVariance, _batchVariance.All);
        }
        Backend.BatchNormForward(input, rows, n, _batchMean.All, _batchVariance.All, Epsilon, _gamma, _beta, xHat, output);
        Backend.UpdateRunningStatistics(_runningMean, _runningVariance, _batchMean.All, _batchVariance.All, _globalRows, Momentum);
        BatchesTracked++;
    }

    public override void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows)
    {
        int n = InputWidth;
        var xHat = _xHat!.Slice(0, rows * n);
        Backend.BatchNormBackwardReduce(outputGradient, xHat, rows, n, _gammaGradient, _betaGradient);
        // The parameter gradients stay this shard's share (the shards are summed later); the input
        // gradient needs the sums over the global batch.
        var gammaGradient = _gammaGradient;
        var betaGradient = _betaGradient;
        if (_exchange is not null)
        {
            Backend.Download(_gammaGradient, _hostGammaGradient);
            Backend.Download(_betaGradient, _hostBetaGradient);
            _exchange.ReduceGradientSums(_exchangeIndex, _hostGammaGradient, _hostBetaGradient);
            gammaGradient = _globalGammaGradient!.All;
            betaGradient = _globalBetaGradient!.All;
            Backend.Upload(_hostGammaGradient, gammaGradient);
            Backend.Upload(_hostBetaGradient, betaGradient);
        }
        if (inputGradient is { } dx)
            Backend.BatchNormBackwardInput(outputGradient, xHat, rows, n, _batchVariance!.All, Epsilon, _gamma,
                gammaGradient, betaGradient, _globalRows, dx);
    }

    public override void Dispose()
    {
        _batchMean?.Dispose();
        _batchVariance?.Dispose();
        _xHat?.Dispose();
        _globalGammaGradient?.Dispose();
        _globalBetaGradient?.Dispose();
    }
}
