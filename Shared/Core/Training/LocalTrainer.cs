using System.Diagnostics;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Optimizers;
using Serilog;

namespace DistTrainer.Core.Training;

/// <summary>
/// Synchronous training in one process: each step draws the batch of (epoch, batch index) from
/// the seeded sampler, computes the mean-loss gradient, refuses it if it is not finite, applies
/// the optimizer to the host copy of the parameters through the parameter server's guard (<see cref="FiniteStepGuard"/>:
/// a finite but huge gradient that would leave a weight or the optimizer's state NaN or infinite ends the run with the
/// last good weights, as on the cluster, instead of freezing Adam's weights for good) and uploads them. Evaluates on the test set
/// at the end of every epoch, and writes the periodic checkpoint when one is due (a checkpoint that cannot be
/// written, retries included, stops the run). Cancellation stops it between two steps, with every applied step intact.
/// </summary>
public sealed class LocalTrainer
{
    private readonly BatchRunner _runner;
    private readonly IOptimizer _optimizer;
    private readonly Dataset _train;
    private readonly Dataset? _test;
    private readonly TrainingPlan _plan;
    private readonly ILogger _log;
    private readonly FiniteStepGuard _guard;
    // The weights, and the next step's written beside them: swapped once the step is taken.
    private float[] _parameters, _next;
    private readonly float[] _gradients;
    private readonly float[] _buffers;
    private readonly long[] _batchesTracked;
    private readonly IGradientObserver? _gradientObserver;
    private readonly (CheckpointPlan Plan, CheckpointWriter Writer)? _checkpoints;

    public LocalTrainer(BatchRunner runner, IOptimizer optimizer, Dataset train, Dataset? test, TrainingPlan plan, ILogger log,
        IGradientObserver? gradients = null, (CheckpointPlan Plan, CheckpointWriter Writer)? checkpoints = null)
    {
        if (plan.BatchSize > runner.Model.MaxRows)
            throw new ArgumentException($"batch size {plan.BatchSize} exceeds the model's {runner.Model.MaxRows} rows");
        _runner = runner;
        _optimizer = optimizer;
        _train = train;
        _test = test;
        _plan = plan;
        _log = log;
        _gradientObserver = gradients;
        _checkpoints = checkpoints;
        _guard = new FiniteStepGuard(optimizer);
        _parameters = new float[runner.Model.ParameterCount];
        _next = new float[runner.Model.ParameterCount];
        _gradients = new float[runner.Model.ParameterCount];
        _buffers = new float[runner.Model.BufferCount];
        _batchesTracked = new long[runner.Model.Layers.Count];
    }

    public TrainingResult Run(ITrainingObserver observer, CancellationToken cancellation = default)
    {
        var model = _runner.Model;
        var backend = model.Backend;
        var sampler = new BatchSampler(_train.Count, _plan.BatchSize, _plan.Shuffle, _plan.Seed);
        backend.Download(model.Parameters, _parameters);
        KeepRunningStatistics();
        var meter = new RunMeter(sampler.BatchesPerEpoch, _optimizer.StepCount, _plan.Steps, _plan.Epochs,
            rows => _runner.Loss.Normalizer(rows, model.OutputWidth), observer, _log);
        string? failure = null;
        var failureKind = FailureKind.NotFinite;
        bool interrupted = false;

        while (!meter.IsOver)
        {
            long step = meter.Step;
            if (cancellation.IsCancellationRequested)
            {
                interrupted = true;
                _log.Warning("Training interrupted before step {Step}", step + 1);
                if (meter.EpochInProgress) meter.CloseEpoch(ScoreTestSet);
                break;
            }
            var (epoch, batch) = meter.PositionOf(step);
            long stepStart = Stopwatch.GetTimestamp();
            var indices = sampler.Batch(epoch, batch);
            int normalizer = _runner.Loss.Normalizer(indices.Length, model.OutputWidth);
            var outcome = _runner.ComputeGradients(_train, indices, new StepContext(true, step, _plan.Seed, 0), normalizer);
            backend.Download(model.Gradients, _gradients);
            double loss = outcome.LossSum / normalizer;
            failure = double.IsFinite(loss)
                ? Step(step, epoch, batch)
                : $"the loss became {loss} at step {step + 1} (epoch {epoch + 1}, batch {batch + 1}); the weights of step {step} are kept";
            if (failure is not null)
            {
                _log.Error("Training stopped at {Step}: {Reason}", step + 1, failure);
                RestoreRunningStatistics();
                break;
            }
            _gradientObserver?.OnWeights(step, _parameters);
            backend.Upload(_parameters, model.Parameters);
            KeepRunningStatistics();
            meter.Applied(outcome, normalizer, Stopwatch.GetElapsedTime(stepStart).TotalSeconds);
            if (meter.EpochEnded) meter.CloseEpoch(ScoreTestSet);
            if (SavePeriodicCheckpoint() is { } error)
            {
                (failure, failureKind) = (error, FailureKind.Checkpoint);
                _log.Error("Training stopped at step {Step}: {Reason}", meter.Step, error);
                break;
            }
        }

        return meter.Result(failure, interrupted, failureKind);
    }

    /// <summary>
    /// The optimizer's step of the gradient just downloaded, written beside the weights and made theirs only when the
    /// gradient and everything the step writes are finite; why not, or null.
    /// </summary>
    private string? Step(long step, int epoch, int batch)
    {
        _guard.BeginStep();
        string? refusal = _guard.StepBlocks(_parameters, _gradients, _next, default(FiniteStepGuard.GradientInPlace), out bool finite);
        if (finite) _gradientObserver?.OnGradients(step, _gradients);
        if (!finite || refusal is not null)
        {
            _guard.Refuse();
            return finite
                ? FiniteStepGuard.Refused(step, refusal!)
                : $"a gradient became NaN/Inf at step {step + 1} (epoch {epoch + 1}, batch {batch + 1}); the weights of step {step} are kept";
        }
        _guard.Commit();
        (_parameters, _next) = (_next, _parameters);
        return null;
    }

    /// <summary>The checkpoint of the step just applied, when one is due; the failure, retries included, or null.</summary>
    private string? SavePeriodicCheckpoint()
    {
        if (_checkpoints is not var (plan, writer) || !plan.IsDue(_optimizer.StepCount)) return null;
        return writer.TryWrite(plan.Path, ModelCheckpoint.Capture(_runner.Model, _optimizer, plan.PlannedSteps));
    }

    private BatchOutcome? ScoreTestSet() => _test is { Count: > 0 } ? _runner.Evaluate(_test) : null;

    /// <summary>
    /// Batch norm folds a batch into its running statistics during the forward pass, before the
    /// loss is known to be finite: keep the last good ones so that a refused step leaves no trace.
    /// </summary>
    private void KeepRunningStatistics()
    {
        var model = _runner.Model;
        if (model.BufferCount == 0) return;
        model.Backend.Download(model.Buffers, _buffers);
        for (int i = 0; i < model.BatchNormLayers.Count; i++)
        {
            var (index, layer) = model.BatchNormLayers[i];
            _batchesTracked[index] = layer.BatchesTracked;
        }
    }

    private void RestoreRunningStatistics()
    {
        var model = _runner.Model;
        if (model.BufferCount == 0) return;
        model.Backend.Upload(_buffers, model.Buffers);
        for (int i = 0; i < model.BatchNormLayers.Count; i++)
        {
            var (index, layer) = model.BatchNormLayers[i];
            layer.BatchesTracked = _batchesTracked[index];
        }
    }
}
