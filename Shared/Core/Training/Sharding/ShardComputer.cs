using System.Diagnostics;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Nn.Losses;

namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// A worker's compute: keeps a model on its backend at some weights version and turns one shard of
/// a step into its result payload (gradients scaled by the global batch's normalizer, then the
/// shard's batch-norm statistics). With an exchange, batch norm is synchronised across shards.
/// Not thread-safe: one shard at a time.
/// </summary>
public sealed class ShardComputer : IDisposable
{
    private readonly Sequential _model;
    private readonly BatchRunner _runner;
    private readonly Dataset _data;
    private readonly ulong _seed;
    private readonly Action<int> _layerDone;
    private float[]? _streamed;
    private GradientsFinal? _final;
    private long _finalTicks;

    public ShardComputer(ModelSpec spec, LossFunction loss, Dataset data, IComputeBackend backend, int maxRows, ulong seed,
        IBatchStatisticsExchange? exchange)
    {
        _model = new Sequential(spec, backend, maxRows);
        _runner = new BatchRunner(_model, loss);
        _data = data;
        _seed = seed;
        Layout = ShardPayloadLayout.Of(_model);
        _model.SynchroniseBatchNorm(exchange);
        _layerDone = LayerDone;
    }

    public ShardPayloadLayout Layout { get; }
    public int ParameterCount => _model.ParameterCount;
    public string BackendName => _model.Backend.Name;
    public long WeightsVersion { get; private set; } = -1;

    public void LoadWeights(long version, ReadOnlySpan<float> weights)
    {
        if (weights.Length != _model.ParameterCount)
            throw new ArgumentException($"weights version {version} has {weights.Length} values; the model has {_model.ParameterCount}");
        _model.Backend.Upload(weights, _model.Parameters);
        WeightsVersion = version;
    }

    /// <summary>
    /// Computes one shard into <paramref name="payload"/> (<see cref="Layout"/>.Length floats, owned by the caller). With
    /// <paramref name="final"/>, each layer's gradients are read back into the payload as soon as backward has made them, and
    /// <paramref name="final"/> hears from which parameter on the payload's gradients are final, while the layers before are
    /// still computing: parts of the result can leave before the rest exists. The payload's values are the same either way,
    /// and the output's seconds leave out the time <paramref name="final"/> took.
    /// </summary>
    public ShardOutput Compute(long step, int rowOffset, ReadOnlySpan<int> indices, int normalizer, float[] payload, GradientsFinal? final = null)
    {
        if (payload.Length != Layout.Length)
            throw new ArgumentException($"a shard payload has {Layout.Length} floats; got {payload.Length}", nameof(payload));
        long start = Stopwatch.GetTimestamp();
        BatchOutcome outcome;
        (_streamed, _final, _finalTicks) = (payload, final, 0);
        try
        {
            outcome = _runner.ComputeGradients(_data, indices, new StepContext(true, step, _seed, rowOffset), normalizer,
                final is null ? null : _layerDone);
        }
        finally
        {
            (_streamed, _final) = (null, null);
        }
        if (final is null) _model.Backend.Download(_model.Gradients, Layout.Gradients(payload));
        for (int i = 0; i < _model.BatchNormLayers.Count; i++)
        {
            var layer = _model.BatchNormLayers[i].Layer;
            _model.Backend.Download(layer.BatchMean, Layout.Mean(payload, i));
            _model.Backend.Download(layer.BatchVariance, Layout.Variance(payload, i));
        }
        // The compute's own time: what the caller did with the final gradients (sending them) is not the shard's compute.
        return new ShardOutput(outcome, payload, Stopwatch.GetElapsedTime(start, Stopwatch.GetTimestamp() - _finalTicks).TotalSeconds);
    }

    private void LayerDone(int layer)
    {
        var gradients = _model.LayerGradients(layer);
        int from = _model.ParameterOffset(layer);
        if (gradients.Length == 0) return;
        _model.Backend.Download(gradients, Layout.Gradients(_streamed!).Slice(from, gradients.Length));
        long called = Stopwatch.GetTimestamp();
        _final!(from);
        _finalTicks += Stopwatch.GetTimestamp() - called;
    }

    public void Dispose()
    {
        _runner.Dispose();
        _model.Dispose();
    }
}

/// <summary>Backward has written the gradients of every parameter from <paramref name="from"/> to the end into the shard's payload.</summary>
public delegate void GradientsFinal(int from);

/// <summary>A computed shard: its loss and accuracy counts, its payload, and the seconds it took.</summary>
public readonly record struct ShardOutput(BatchOutcome Outcome, float[] Payload, double Seconds);
