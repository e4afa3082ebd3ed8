using Serilog;

namespace DistTrainer.Core.Training;

/// <summary>
/// The bookkeeping of one run, whoever trains it (the local trainer, the coordinator): the next step and where
/// a step falls in its epoch, the training seconds and rows of the run and of the epoch, the report each
/// applied step and each closed epoch gives the observer, the epoch's log line, and the run's result. One
/// meter, so that a local and a distributed run count, average and report alike.
/// </summary>
public sealed class RunMeter
{
    private readonly Func<int, int> _normalizer;
    private readonly ITrainingObserver _observer;
    private readonly ILogger _log;
    private readonly List<EpochReport> _epochs = [];
    private readonly TimeProvider _time;
    private readonly long _started;
    private long _epochStarted;
    private bool _training;
    private long _trainedSamples;
    private double _epochTrainingSeconds;
    private BatchOutcome _epochOutcome;

    /// <summary>
    /// A run from <paramref name="firstStep"/> (0, or a checkpoint's) for <paramref name="steps"/> steps when given, else
    /// <paramref name="epochs"/> whole epochs; <paramref name="normalizer"/> gives the loss normalizer of a row count.
    /// </summary>
    public RunMeter(int batchesPerEpoch, long firstStep, long? steps, int epochs, Func<int, int> normalizer,
        ITrainingObserver observer, ILogger log, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _started = _epochStarted = _time.GetTimestamp();
        BatchesPerEpoch = batchesPerEpoch;
        Step = firstStep;
        LastStep = firstStep + (steps ?? (long)epochs * batchesPerEpoch);
        _normalizer = normalizer;
        _observer = observer;
        _log = log;
    }

    public int BatchesPerEpoch { get; }

    /// <summary>The next step to train, which is also the number of steps applied, counting those before a resume.</summary>
    public long Step { get; private set; }

    /// <summary>The step the run ends at (exclusive).</summary>
    public long LastStep { get; }

    /// <summary>Seconds the applied steps took, summed over the run.</summary>
    public double TrainingSeconds { get; private set; }

    public bool IsOver => Step >= LastStep;

    /// <summary>
    /// The run's first step is about to be planned: the first epoch's time starts here, not at the meter's creation, so
    /// that a cluster's wait for its workers (forming the cluster, registering, connecting) is not counted as training.
    /// Only the first call counts; the run's own seconds still start at the meter's creation.
    /// </summary>
    public void TrainingBegins()
    {
        if (_training) return;
        _training = true;
        _epochStarted = _time.GetTimestamp();
    }

    /// <summary>Whether the last applied step was the last batch of its epoch or the last step of the run.</summary>
    public bool EpochEnded => EndsEpoch(Step - 1);

    /// <summary>Whether step <paramref name="step"/> (from 0) is the last batch of its epoch or the last step of the run.</summary>
    public bool EndsEpoch(long step) => PositionOf(step).Batch == BatchesPerEpoch - 1 || step + 1 == LastStep;

    /// <summary>Whether steps were applied since the last epoch closed (a run stopped inside an epoch closes it).</summary>
    public bool EpochInProgress => _epochOutcome.Rows > 0;

    /// <summary>The epoch of step <paramref name="step"/> and its batch within that epoch, both from 0.</summary>
    public static (int Epoch, int Batch) Position(long step, int batchesPerEpoch) =>
        ((int)(step / batchesPerEpoch), (int)(step % batchesPerEpoch));

    public (int Epoch, int Batch) PositionOf(long step) => Position(step, BatchesPerEpoch);

    /// <summary>Throughput; a zero time counts as a nanosecond, so that a first, instant step gives a number, not infinity.</summary>
    public static double SamplesPerSecond(long rows, double seconds) => rows / Math.Max(seconds, 1e-9);

    /// <summary>
    /// Counts step <see cref="Step"/> as applied: its batch gave <paramref name="outcome"/>, whose loss is scaled by
    /// 1 / <paramref name="normalizer"/>, in <paramref name="seconds"/>. Tells the observer and moves on to the next step.
    /// </summary>
    public StepReport Applied(BatchOutcome outcome, int normalizer, double seconds)
    {
        var (epoch, batch) = PositionOf(Step);
        TrainingSeconds += seconds;
        _epochTrainingSeconds += seconds;
        _trainedSamples += outcome.Rows;
        _epochOutcome += outcome;
        Step++;
        var report = new StepReport(epoch, batch, BatchesPerEpoch, Step, LastStep, outcome.LossSum / normalizer,
            (double)outcome.Correct / outcome.Rows, SamplesPerSecond(_trainedSamples, TrainingSeconds), outcome.Rows);
        _observer.OnStep(report);
        return report;
    }

    /// <summary>
    /// Closes the epoch of the last applied step with the test set's figures from <paramref name="scoreTestSet"/> (null:
    /// no test set): logs it, keeps it for the result and tells the observer. The epoch's seconds are read before
    /// <paramref name="scoreTestSet"/> runs, so a test set scored inside it is not counted in them.
    /// </summary>
    public EpochReport CloseEpoch(Func<BatchOutcome?> scoreTestSet)
    {
        double seconds = _time.GetElapsedTime(_epochStarted).TotalSeconds;
        var test = scoreTestSet();
        var (epoch, _) = PositionOf(Step - 1);
        double trainLoss = _epochOutcome.LossSum / _normalizer(_epochOutcome.Rows);
        double? testLoss = test is { } t ? t.LossSum / _normalizer(t.Rows) : null;
        double? testAccuracy = test is { } u ? (double)u.Correct / u.Rows : null;
        var report = new EpochReport(epoch + 1, Step, trainLoss, (double)_epochOutcome.Correct / _epochOutcome.Rows, testLoss,
            testAccuracy, SamplesPerSecond(_epochOutcome.Rows, _epochTrainingSeconds), seconds);
        _log.Information(
            "Epoch {Epoch} ended at step {Step}: train loss {TrainLoss:F4} accuracy {TrainAccuracy:F4}, test loss {TestLoss:F4} accuracy {TestAccuracy:F4}",
            report.Epoch, report.Step, report.TrainLoss, report.TrainAccuracy, report.TestLoss, report.TestAccuracy);
        _epochs.Add(report);
        _observer.OnEpoch(report);
        _epochOutcome = default;
        _epochTrainingSeconds = 0;
        _epochStarted = _time.GetTimestamp();
        return report;
    }

    /// <summary>The run so far: its closed epochs, the steps applied, its seconds and throughput, and why it stopped early, if it did.</summary>
    public TrainingResult Result(string? failure, bool interrupted, FailureKind kind = FailureKind.NotFinite) =>
        new(_epochs, Step, _time.GetElapsedTime(_started).TotalSeconds, SamplesPerSecond(_trainedSamples, TrainingSeconds), failure, interrupted, kind);
}
