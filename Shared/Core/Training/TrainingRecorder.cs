namespace DistTrainer.Core.Training;

/// <summary>
/// Keeps the steps' loss and accuracy and every epoch's report, for curves drawn after the run, and passes each report on
/// to <paramref name="next"/> (the progress printer, or nobody). Step reports are kept for every step up to
/// <paramref name="stepCapacity"/> of them, then thinned (<see cref="ThinnedSteps{T}"/>): a run's memory must not grow with
/// its length. A cluster step's times and counts are passed on, not kept: no curve is drawn from them, and kept like the
/// steps they held up to 6.8 MB of a long run's coordinator (the metrics endpoint and TensorBoard take them as they come).
/// </summary>
public sealed class TrainingRecorder(ITrainingObserver? next = null, int stepCapacity = ThinnedSteps.DefaultCapacity) : ITrainingObserver
{
    private readonly ThinnedSteps<StepReport> _steps = new(r => r.Step, stepCapacity);
    private readonly List<EpochReport> _epochs = new();

    public IReadOnlyList<StepReport> Steps => _steps;
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    public void OnStep(StepReport report)
    {
        _steps.Add(report);
        next?.OnStep(report);
    }

    public void OnEpoch(EpochReport report)
    {
        _epochs.Add(report);
        next?.OnEpoch(report);
    }

    public void OnClusterStep(ClusterStepReport report) => next?.OnClusterStep(report);
}
