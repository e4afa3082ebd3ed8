using System.Diagnostics.CodeAnalysis;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.KeyRanges;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's weights, optimizer and running statistics, kept in host memory, and the one
/// way they change: a complete step's shard gradients summed in shard order, checked finite, shown to
/// the gradient observer, stepped by the optimizer (refused when the step would leave a weight or a state
/// value non-finite: <see cref="FiniteStepGuard"/>; the new weights shown to the observer too), and the shards' batch statistics folded into the
/// running ones. The new weights are written beside the current ones, into the pooled array that is then sent as they
/// are (<see cref="PublishedWeights"/>): neither a refused step's rollback nor publishing needs a copy. The model is only
/// written when someone reads it (evaluation, checkpoint, export).
/// With --ps-shards K the parameter vector is cut into K key ranges (<see cref="ParameterRanges"/>), each one's weights and
/// optimizer state held apart (<see cref="RangeServer"/>, with an optimizer of its own sized to it) and summed and stepped
/// at the same time as the others (<see cref="RangeCrew"/>): every rule is element-wise and every sum keeps its shard
/// order, so the result is bit for bit the unsharded one; the step's decision is still one (one non-finite range rolls
/// every range back). The whole vector (whole weights frames, evaluation, checkpoints) is put together from the ranges
/// when read, once per version, and the run's optimizer gets the ranges' state whenever the model is written. The ranges can
/// also be handed to servers of their own (<see cref="Place"/>, <see cref="RangeServerActor"/>): the applier then steps
/// nothing, learns each step's outcome from them (<see cref="TryCommitPlaced"/>) and holds the whole state only as last
/// gathered from them (<see cref="Gathered"/>).
/// </summary>
public sealed class StepApplier : IDisposable
{
    private readonly Sequential _model;
    private readonly IOptimizer _optimizer;
    private readonly IGradientObserver? _observer;
    // Null once the ranges are placed with servers of their own; the version is then counted here.
    private RangeServer[]? _servers;
    private long _placedVersion;
    // The version the run's optimizer holds the placed ranges' state of (gathered).
    private long _gatheredStateVersion = -1;
    // The running statistics and batch counts of the version whose whole state was last here with the ranges placed (handed
    // over or gathered): with the weights in _whole and the state in the optimizer, what a lost range rolls back to.
    private readonly float[] _gatheredBuffers;
    private readonly long[] _gatheredBatches;
    private float[]? _observedWeights;
    // The whole vector put together from the ranges, with more than one range; its version.
    private readonly PublishedWeights? _whole;
    private long _wholeVersion;
    private readonly float[] _gradients, _buffers;
    private readonly MomentsMerger[] _mergers;
    private readonly int[] _runningMeanOffsets;
    private readonly float[][] _mergedMean, _mergedVariance;
    private readonly IReadOnlyList<ParameterRange> _ranges;
    private RangeCrew? _crew;
    private readonly bool[] _rangeFinite;
    private readonly string?[] _rangeRefusal;
    private readonly Action<int> _sumAndStepRange;
    private StepAggregator? _aggregator;
    private IShardGradients? _sources;
    // Set while a step changes the weights and the optimizer's state range by range: a step that threw half-way
    // (a range past its timeout) leaves them neither the old step's nor the new one's.
    private bool _midStep;

    /// <summary>
    /// Starts from the model's weights and running statistics as they are now, its parameters cut into
    /// <paramref name="shards"/> ranges; a range not done within <paramref name="rangeTimeout"/> stops the applier. The
    /// weights' versions are arrays of <paramref name="payloads"/>.
    /// </summary>
    public StepApplier(Sequential model, IOptimizer optimizer, IGradientObserver? observer, int shards, TimeSpan rangeTimeout,
        PayloadPool payloads)
    {
        _model = model;
        _optimizer = optimizer;
        _observer = observer;
        var parameters = new float[model.ParameterCount];
        _gradients = new float[model.ParameterCount];
        _buffers = new float[model.BufferCount];
        _gatheredBuffers = new float[model.BufferCount];
        _gatheredBatches = new long[model.BatchNormLayers.Count];
        model.Backend.Download(model.Parameters, parameters);
        model.Backend.Download(model.Buffers, _buffers);
        Layout = ShardPayloadLayout.Of(model);
        _mergers = Layout.BatchNormWidths.Select(w => new MomentsMerger(w)).ToArray();
        _mergedMean = Layout.BatchNormWidths.Select(w => new float[w]).ToArray();
        _mergedVariance = Layout.BatchNormWidths.Select(w => new float[w]).ToArray();
        _runningMeanOffsets = model.BatchNormLayers
            .Select(b => model.BufferLayout.Single(p => p.Name == $"{b.Index}.running_mean").Offset).ToArray();
        _ranges = ParameterRanges.Split(model, shards);
        // One range is the whole vector, with the run's own optimizer: no copy anywhere.
        _servers = shards == 1
            ? [new RangeServer(_ranges[0], optimizer, parameters, payloads)]
            : [.. _ranges.Select(range => RangeServer.Cut(range, optimizer, parameters, payloads))];
        if (shards > 1)
        {
            _whole = new PublishedWeights(payloads, parameters);
            _wholeVersion = optimizer.StepCount;
        }
        _rangeFinite = new bool[shards];
        _rangeRefusal = new string?[shards];
        _sumAndStepRange = SumAndStepRange;
        _crew = new RangeCrew(shards, rangeTimeout);
        WrittenVersion = Version;
    }

    /// <summary>How many key ranges the parameters are cut into (--ps-shards).</summary>
    public int Shards => _ranges.Count;

    /// <summary>How the shard results this applier takes are laid out.</summary>
    public ShardPayloadLayout Layout { get; }

    /// <summary>The version of the weights: the number of optimizer steps taken.</summary>
    public long Version => _servers is { } servers ? servers[0].Version : _placedVersion;

    /// <summary>The version whose weights, running statistics and optimizer state the model and the run's optimizer hold now.</summary>
    public long WrittenVersion { get; private set; }

    /// <summary>Whether a gradient observer sees each step (placed ranges then send their summed gradient and new weights).</summary>
    public bool Observed => _observer is not null;

    /// <summary>Whether the whole state of the current version is here: always, unless the ranges are placed and not yet gathered.</summary>
    public bool HoldsCurrentState => _servers is not null || _gatheredStateVersion == Version;

    public ReadOnlySpan<float> Parameters => Weights.Array;

    /// <summary>The whole vector of weights as sent to the workers (put together from the ranges once per version).</summary>
    public SharedPayload Weights
    {
        get
        {
            if (_whole is null) return _servers![0].Weights;
            if (_wholeVersion != Version)
            {
                if (_servers is null)
                    throw new InvalidOperationException($"the key ranges' weights of version {Version} were not gathered");
                var next = _whole.Next;
                foreach (var server in _servers) server.Weights.Array.CopyTo(next.AsSpan(server.Range.Offset));
                _whole.PublishNext();
                _wholeVersion = Version;
            }
            return _whole.Current;
        }
    }

    /// <summary>
    /// Hands each key range's weights and optimizer state to whoever serves it from now on (what each range's server starts
    /// from, in range order): the applier then steps nothing itself; it counts the versions the servers commit and holds the
    /// whole state only as gathered from them.
    /// </summary>
    public IReadOnlyList<HostRange> Place()
    {
        if (_whole is null) throw new InvalidOperationException("one key range is not placed apart from the parameter server");
        var servers = _servers ?? throw new InvalidOperationException("the key ranges are placed already");
        // What is handed over is whole here once more: the weights in _whole, the state in the optimizer.
        _ = Weights;
        foreach (var server in servers) server.CopyStateTo(_optimizer);
        _placedVersion = servers[0].Version;
        KeepWholeState();
        _servers = null;
        _crew?.Dispose();
        _crew = null;
        return [.. servers.Select((server, range) => server.ToHost(range))];
    }

    /// <summary>Applies the complete step in <paramref name="aggregator"/>, whose results are whole: see the overload.</summary>
    public bool TryApply(StepAggregator aggregator, out BatchOutcome outcome, [NotNullWhen(false)] out string? failure) =>
        TryApply(aggregator, aggregator, out outcome, out failure);

    /// <summary>
    /// Applies the complete step in <paramref name="aggregator"/>, summing the gradients <paramref name="gradients"/> holds
    /// (the aggregator's own whole results, or the key ranges' parts held apart); false, with the weights kept and
    /// <paramref name="failure"/> saying why, when the summed gradient is not finite (each shard was) or the
    /// optimizer step would make the weights or its state non-finite.
    /// </summary>
    public bool TryApply(StepAggregator aggregator, IShardGradients gradients, out BatchOutcome outcome, [NotNullWhen(false)] out string? failure)
    {
        // Only a step that returns, applied or refused, leaves the state whole: one that throws leaves the flag set.
        _midStep = true;
        bool applied = ApplyOrRefuse(aggregator, gradients, out outcome, out failure);
        _midStep = false;
        return applied;
    }

    private bool ApplyOrRefuse(StepAggregator aggregator, IShardGradients gradients, out BatchOutcome outcome,
        [NotNullWhen(false)] out string? failure)
    {
        long step = aggregator.Step;
        _aggregator = aggregator;
        _sources = gradients;
        // One run of the ranges a step, summing and stepping each range in turn: a separate run per phase woke the range
        // threads twice more on every step's critical path. A range whose sum is not finite is not stepped; the step is
        // then refused whole, which leaves the weights and state as they were, since every range wrote beside them.
        var servers = _servers ?? throw new InvalidOperationException("the key ranges are placed with servers of their own");
        _crew!.Run(_sumAndStepRange);
        outcome = aggregator.Outcome();
        bool gradientFinite = Array.IndexOf(_rangeFinite, false) < 0;
        if (gradientFinite) _observer?.OnGradients(step, _gradients);
        failure = Refusal(step, gradientFinite, Array.Find(_rangeRefusal, r => r is not null));
        if (failure is not null)
        {
            foreach (var server in servers) server.Discard();
            return false;
        }
        foreach (var server in servers) server.Commit();
        _observer?.OnWeights(step, Parameters);
        Fold(aggregator);
        _sources = null;
        return true;
    }

    /// <summary>
    /// The placed ranges' answers to the complete step in <paramref name="aggregator"/>: true when every range's sum was finite
    /// and no range refused its optimizer step, and the step is then the new version here (the running statistics folded, the
    /// observer shown the gradient and weights the answers carry); false, with <paramref name="failure"/> saying why, when the
    /// step is to be discarded by every range.
    /// </summary>
    public bool TryCommitPlaced(StepAggregator aggregator, IReadOnlyList<RangeStepped> stepped, out BatchOutcome outcome,
        [NotNullWhen(false)] out string? failure)
    {
        if (_servers is not null) throw new InvalidOperationException("the key ranges are not placed");
        long step = aggregator.Step;
        outcome = aggregator.Outcome();
        bool gradientFinite = stepped.All(s => s.Finite);
        if (gradientFinite && _observer is not null)
            _observer.OnGradients(step, Assemble(stepped, s => s.Gradient, _gradients));
        failure = Refusal(step, gradientFinite, stepped.Select(s => s.Refusal).FirstOrDefault(r => r is not null));
        if (failure is not null) return false;
        _placedVersion++;
        _observer?.OnWeights(step, Assemble(stepped, s => s.Weights, _observedWeights ??= new float[_gradients.Length]));
        Fold(aggregator);
        return true;
    }

    /// <summary>
    /// Takes every placed range's weights and optimizer state as gathered at the current version: the whole state is here
    /// again (<see cref="HoldsCurrentState"/>) until the next step.
    /// </summary>
    public void Gathered(IReadOnlyList<RangeGathered> gathered)
    {
        if (_servers is not null) throw new InvalidOperationException("the key ranges are not placed");
        var next = _whole!.Next;
        foreach (var range in gathered)
        {
            if (range.Version != Version)
                throw new InvalidOperationException($"key range {range.Range} was gathered at version {range.Version}, not {Version}");
            int offset = _ranges[range.Range].Offset;
            range.Weights.CopyTo(next.AsSpan(offset));
            for (int i = 0; i < _optimizer.StateNames.Count; i++)
                range.State[i].CopyTo(_optimizer.State(_optimizer.StateNames[i]).Slice(offset));
        }
        _whole.PublishNext();
        _wholeVersion = Version;
        KeepWholeState();
    }

    private void KeepWholeState()
    {
        _gatheredStateVersion = Version;
        _buffers.CopyTo(_gatheredBuffers, 0);
        for (int i = 0; i < _gatheredBatches.Length; i++) _gatheredBatches[i] = _model.BatchNormLayers[i].Layer.BatchesTracked;
    }

    private float[] Assemble(IReadOnlyList<RangeStepped> stepped, Func<RangeStepped, float[]?> part, float[] whole)
    {
        foreach (var range in stepped)
            (part(range) ?? throw new InvalidOperationException($"key range {range.Range} did not send what the observer reads"))
                .CopyTo(whole.AsSpan(_ranges[range.Range].Offset));
        return whole;
    }

    private static string? Refusal(long step, bool gradientFinite, string? refusal) =>
        !gradientFinite
            ? $"the summed gradient of step {step + 1} is not finite (each shard was); the weights of step {step} are kept"
            : refusal is not null
                ? FiniteStepGuard.Refused(step, refusal)
                : null;

    private void Fold(StepAggregator aggregator)
    {
        _aggregator = aggregator;
        // A few hundred values per batch-norm layer: cheaper on this thread than waking the range threads again.
        for (int range = 0; range < _ranges.Count; range++) FoldRange(range);
        _aggregator = null;
    }

    /// <summary>
    /// Writes the weights and running statistics into the model, and the ranges' optimizer state and step count into the
    /// run's optimizer (the one range's own with one range), for whoever reads them next.
    /// </summary>
    public void WriteModel()
    {
        _model.Backend.Upload(Parameters, _model.Parameters);
        _model.Backend.Upload(_buffers, _model.Buffers);
        if (_servers is not null)
            foreach (var server in _servers) server.CopyStateTo(_optimizer);
        else if (_gatheredStateVersion != Version)
            throw new InvalidOperationException($"the key ranges' state of version {Version} was not gathered");
        _optimizer.SetStepCount(Version);
        WrittenVersion = Version;
    }

    /// <summary>
    /// Writes the last whole state into the model and the run's optimizer and returns its version: the current version's, as
    /// <see cref="WriteModel"/> does; with the ranges placed and not gathered since, the last version handed over or gathered
    /// (its weights, optimizer state, running statistics and batch counts), where a run that lost a range rolls back to; null
    /// when a step stopped half-way left the state inconsistent, and the model is left as it was.
    /// </summary>
    public long? WriteLastWholeState()
    {
        if (_midStep) return null;
        if (HoldsCurrentState)
        {
            WriteModel();
            return Version;
        }
        _model.Backend.Upload(_whole!.Current.Array, _model.Parameters);
        _model.Backend.Upload(_gatheredBuffers, _model.Buffers);
        for (int i = 0; i < _gatheredBatches.Length; i++) _model.BatchNormLayers[i].Layer.BatchesTracked = _gatheredBatches[i];
        _optimizer.SetStepCount(_gatheredStateVersion);
        return WrittenVersion = _gatheredStateVersion;
    }

    /// <summary>Writes the model, then copies it with the optimizer's state into a checkpoint's content, to be written elsewhere.</summary>
    public CheckpointContent CaptureCheckpoint(long? plannedSteps, int? logicalShards = null)
    {
        WriteModel();
        return ModelCheckpoint.Capture(_model, _optimizer, plannedSteps, logicalShards);
    }

    /// <summary>Stops the range threads.</summary>
    public void Dispose() => _crew?.Dispose();

    private void SumAndStepRange(int range) =>
        _rangeRefusal[range] = _servers![range].SumAndStep(_sources!, _gradients.AsSpan(_ranges[range].Offset, _ranges[range].Length),
            out _rangeFinite[range]);

    private void FoldRange(int range)
    {
        var batchNorms = _ranges[range].BatchNorms;
        for (int n = 0; n < batchNorms.Count; n++)
        {
            int i = batchNorms[n];
            _aggregator!.MergeMoments(i, _mergers[i]);
            _mergers[i].Result(_mergedMean[i], _mergedVariance[i]);
            int width = _mergers[i].Width;
            RunningStatistics.Fold(_buffers.AsSpan(_runningMeanOffsets[i], width),
                _buffers.AsSpan(_runningMeanOffsets[i] + width, width), _mergedMean[i], _mergedVariance[i], _mergers[i].Count);
            _model.BatchNormLayers[i].Layer.BatchesTracked++;
        }
    }
}
