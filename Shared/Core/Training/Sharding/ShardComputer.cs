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

    public ShardComputer(ModelSpec spec, LossFunction loss, Dataset data, IComputeBackend backend, int maxRows, ulong seed,
        IBatchStatisticsExchange? exchange)
    {
        _model = new Sequential(spec, backend, maxRows);
        _runner = new BatchRunner(_model, loss);
        _data = data;
        _seed = seed;
        Layout = ShardPayloadLayout.Of(_model);
        _model.SynchroniseBatchNorm(exchange);
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

    /// <summary>Computes one shard into <paramref name="payload"/> (<see cref="Layout"/>.Length floats, owned by the caller).</summary>
    public ShardOutput Compute(long step, int rowOffset, ReadOnlySpan<int> indices, int normalizer, float[] payload)
    {
        if (payload.Length != Layout.Length)
            throw new ArgumentException($"a shard payload has {Layout.Length} floats; got {payload.Length}", nameof(payload));
        long start = Stopwatch.GetTimestamp();
        var outcome = _runner.ComputeGradients(_data, indices, new StepContext(true, step, _seed, rowOffset), normalizer);
        _model.Backend.Download(_model.Gradients, Layout.Gradients(payload));
        for (int i = 0; i < _model.BatchNormLayers.Count; i++)
        {
            var layer = _model.BatchNormLayers[i].Layer;
            _model.Backend.Download(layer.BatchMean, Layout.Mean(payload, i));
            _model.Backend.Download(layer.BatchVariance, Layout.Variance(payload, i));
        }
        return new ShardOutput(outcome, payload, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    public void Dispose()
    {
        _runner.Dispose();
        _model.Dispose();
    }
}

/// <summary>A computed shard: its loss and accuracy counts, its payload, and the seconds it took.</summary>
public readonly record struct ShardOutput(BatchOutcome Outcome, float[] Payload, double Seconds);
