using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

/// <summary>
/// The synchronous step of DESIGN §2 in one process: one <see cref="ShardComputer"/> per worker,
/// each on a CPU backend and a thread of its own; the parameter server's side is a
/// <see cref="StepAggregator"/>, the optimizer on the host weights, and the running statistics
/// folded from the merged shard moments. Steps draw their batch as a single process does.
/// </summary>
internal sealed class ShardedTrainer : IDisposable
{
    private readonly double[] _weights;
    private readonly LossFunction _loss;
    private readonly int _outputWidth;
    private readonly BatchSampler _sampler;
    private readonly IOptimizer _optimizer;
    private readonly CpuBackend[] _backends;
    private readonly ShardComputer[] _computers;
    private readonly ReducerExchange? _exchange;
    private readonly ReducerExchange.Participant[] _participants;
    private readonly StepAggregator _aggregator;
    private readonly MomentsMerger[] _mergers;
    private readonly (int Mean, int Variance, int Width)[] _runningStatistics;
    private readonly float[] _gradient;

    /// <param name="initial">The initialised model whose weights and running statistics the run starts from.</param>
    public ShardedTrainer(Sequential initial, LossFunction loss, Dataset data, double[] weights, int batchSize, ulong seed,
        bool synchronised, OptimizerSettings optimizer)
    {
        _weights = weights;
        _loss = loss;
        _outputWidth = initial.OutputWidth;
        _sampler = new BatchSampler(data.Count, batchSize, shuffle: true, seed);
        _optimizer = OptimizerFactory.Create(optimizer, initial.ParameterCount);
        Parameters = new float[initial.ParameterCount];
        RunningStatistics = new float[initial.BufferCount];
        initial.Backend.Download(initial.Parameters, Parameters);
        initial.Backend.Download(initial.Buffers, RunningStatistics);
        _runningStatistics = initial.BatchNormLayers
            .Select(b => (Offset(initial, $"{b.Index}.running_mean"), Offset(initial, $"{b.Index}.running_var"), b.Layer.InputWidth))
            .ToArray();

        _backends = weights.Select(_ => new CpuBackend(1)).ToArray();
        _exchange = synchronised ? new ReducerExchange(_runningStatistics.Select(r => r.Width).ToArray()) : null;
        _participants = _exchange is null ? [] : weights.Select(_ => _exchange.Join()).ToArray();
        _computers = _backends.Select((backend, i) => new ShardComputer(initial.Spec, loss, data, backend, batchSize, seed,
            _exchange is null ? null : _participants[i])).ToArray();
        foreach (var computer in _computers) computer.LoadWeights(0, Parameters);
        _aggregator = new StepAggregator(_computers[0].Layout);
        _mergers = _runningStatistics.Select(r => new MomentsMerger(r.Width)).ToArray();
        StepMeans = _runningStatistics.Select(r => new float[r.Width]).ToArray();
        StepVariances = _runningStatistics.Select(r => new float[r.Width]).ToArray();
        _gradient = new float[initial.ParameterCount];
    }

    /// <summary>The host weights, after the last applied step.</summary>
    public float[] Parameters { get; }

    /// <summary>The running statistics the server folded, in the model's buffer layout.</summary>
    public float[] RunningStatistics { get; }

    /// <summary>Per batch-norm layer, the merged mean and biased variance of the last step's batch.</summary>
    public float[][] StepMeans { get; }

    public float[][] StepVariances { get; }

    /// <summary>The rows of each shard of the last step.</summary>
    public Shard[] Shards { get; private set; } = [];

    public void Step(long step)
    {
        int[] indices = _sampler.Batch((int)(step / _sampler.BatchesPerEpoch), (int)(step % _sampler.BatchesPerEpoch)).ToArray();
        int normalizer = _loss.Normalizer(indices.Length, _outputWidth);
        var shards = Shards = ShardSplitter.Split(indices.Length, _weights, minRows: 2);
        _aggregator.Begin(step, 0, shards);
        _exchange?.Begin(step, 0, shards);
        var outputs = new ShardOutput[shards.Length];
        Concurrently.Run(shards.Length, i =>
        {
            var shard = shards[i];
            if (_exchange is not null) _participants[i].Assign(step, 0, shard);
            outputs[i] = _computers[i].Compute(step, shard.Start, indices.AsSpan(shard.Start, shard.Count), normalizer,
                new float[_computers[i].Layout.Length]);
        });
        // The last shard first: the sum must not depend on the order results arrive in.
        for (int i = shards.Length - 1; i >= 0; i--)
        {
            var outcome = outputs[i].Outcome;
            var verdict = _aggregator.Offer(new ShardResult(step, 0, i, outcome.Rows, outcome.LossSum, outcome.Correct, outputs[i].Payload),
                out var reason);
            Assert.True(verdict == ShardVerdict.Accepted, reason);
        }

        _aggregator.SumGradients(_gradient);
        _optimizer.Step(Parameters, _gradient);
        foreach (var computer in _computers) computer.LoadWeights(step + 1, Parameters);
        for (int b = 0; b < _mergers.Length; b++)
        {
            _aggregator.MergeMoments(b, _mergers[b]);
            _mergers[b].Result(StepMeans[b], StepVariances[b]);
            var (mean, variance, width) = _runningStatistics[b];
            CpuBatchNorm.UpdateRunningStatistics(RunningStatistics.AsSpan(mean, width), RunningStatistics.AsSpan(variance, width),
                StepMeans[b], StepVariances[b], indices.Length, BatchNormLayer.Momentum);
        }
    }

    private static int Offset(Sequential model, string name) => model.BufferLayout.Single(p => p.Name == name).Offset;

    public void Dispose()
    {
        foreach (var computer in _computers) computer.Dispose();
        foreach (var backend in _backends) backend.Dispose();
    }
}
