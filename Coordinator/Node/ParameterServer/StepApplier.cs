using System.Diagnostics.CodeAnalysis;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's weights, optimizer and running statistics, kept in host memory, and the one
/// way they change: a complete step's shard gradients summed in shard order, checked finite, shown to
/// the gradient observer, stepped by the optimizer (refused when the step would leave a weight or a state
/// value non-finite: <see cref="FiniteStepGuard"/>; the new weights shown to the observer too), and the shards' batch statistics folded into the
/// running ones. The model is only written when someone reads it (evaluation, checkpoint, export).
/// </summary>
public sealed class StepApplier
{
    private readonly Sequential _model;
    private readonly IOptimizer _optimizer;
    private readonly IGradientObserver? _observer;
    private readonly FiniteStepGuard _guard;
    private readonly float[] _parameters, _gradients, _buffers;
    private readonly MomentsMerger[] _mergers;
    private readonly int[] _runningMeanOffsets;
    private readonly float[][] _mergedMean, _mergedVariance;

    /// <summary>Starts from the model's weights and running statistics as they are now.</summary>
    public StepApplier(Sequential model, IOptimizer optimizer, IGradientObserver? observer)
    {
        _model = model;
        _optimizer = optimizer;
        _observer = observer;
        _parameters = new float[model.ParameterCount];
        _gradients = new float[model.ParameterCount];
        _buffers = new float[model.BufferCount];
        _guard = new FiniteStepGuard(optimizer, model.ParameterCount);
        model.Backend.Download(model.Parameters, _parameters);
        model.Backend.Download(model.Buffers, _buffers);
        Layout = ShardPayloadLayout.Of(model);
        _mergers = Layout.BatchNormWidths.Select(w => new MomentsMerger(w)).ToArray();
        _mergedMean = Layout.BatchNormWidths.Select(w => new float[w]).ToArray();
        _mergedVariance = Layout.BatchNormWidths.Select(w => new float[w]).ToArray();
        _runningMeanOffsets = model.BatchNormLayers
            .Select(b => model.BufferLayout.Single(p => p.Name == $"{b.Index}.running_mean").Offset).ToArray();
    }

    /// <summary>How the shard results this applier takes are laid out.</summary>
    public ShardPayloadLayout Layout { get; }

    /// <summary>The version of the weights: the number of optimizer steps taken.</summary>
    public long Version => _optimizer.StepCount;

    public ReadOnlySpan<float> Parameters => _parameters;

    /// <summary>
    /// Applies the complete step in <paramref name="aggregator"/>; false, with the weights kept and
    /// <paramref name="failure"/> saying why, when the summed gradient is not finite (each shard was) or the
    /// optimizer step would make the weights or its state non-finite.
    /// </summary>
    public bool TryApply(StepAggregator aggregator, out BatchOutcome outcome, [NotNullWhen(false)] out string? failure)
    {
        long step = aggregator.Step;
        aggregator.SumGradients(_gradients);
        outcome = aggregator.Outcome();
        if (!Finite.All(_gradients))
        {
            failure = $"the summed gradient of step {step + 1} is not finite (each shard was); the weights of step {step} are kept";
            return false;
        }
        _observer?.OnGradients(step, _gradients);
        if (!_guard.TryStep(_parameters, _gradients, out var nonFinite))
        {
            failure = $"the optimizer refused step {step + 1}: it would make {nonFinite} NaN or infinite (a huge gradient); " +
                      $"the weights of step {step} are kept";
            return false;
        }
        _observer?.OnWeights(step, _parameters);
        FoldRunningStatistics(aggregator);
        failure = null;
        return true;
    }

    /// <summary>Writes the weights and running statistics into the model, for whoever reads it next.</summary>
    public void WriteModel()
    {
        _model.Backend.Upload(_parameters, _model.Parameters);
        _model.Backend.Upload(_buffers, _model.Buffers);
    }

    /// <summary>Writes the model, then copies it with the optimizer's state into a checkpoint's content, to be written elsewhere.</summary>
    public CheckpointContent CaptureCheckpoint(long? plannedSteps, int? logicalShards = null)
    {
        WriteModel();
        return ModelCheckpoint.Capture(_model, _optimizer, plannedSteps, logicalShards);
    }

    private void FoldRunningStatistics(StepAggregator aggregator)
    {
        for (int i = 0; i < _mergers.Length; i++)
        {
            aggregator.MergeMoments(i, _mergers[i]);
            _mergers[i].Result(_mergedMean[i], _mergedVariance[i]);
            int width = _mergers[i].Width;
            RunningStatistics.Fold(_buffers.AsSpan(_runningMeanOffsets[i], width),
                _buffers.AsSpan(_runningMeanOffsets[i] + width, width), _mergedMean[i], _mergedVariance[i], _mergers[i].Count);
            _model.BatchNormLayers[i].Layer.BatchesTracked++;
        }
    }
}
