namespace DistTrainer.Core.Training;

/// <summary>
/// Keeps the steps' loss and accuracy, every epoch's report and the cluster steps' times and counts, for curves drawn after
/// the run, and passes each report on to <paramref name="next"/> (the progress printer, or nobody). Step reports are kept
/// for every step up to <paramref name="stepCapacity"/> of them, then thinned (<see cref="ThinnedSteps{T}"/>): a run's
/// memory must not grow with its length.
/// </summary>
public sealed class TrainingRecorder(ITrainingObserver? next = null, int stepCapacity = ThinnedSteps.DefaultCapacity) : ITrainingObserver
{
    private readonly ThinnedSteps<StepReport> _steps = new(r => r.Step, stepCapacity);
    private readonly List<EpochReport> _epochs = new();
    private readonly ThinnedSteps<ClusterStepReport> _clusterSteps = new(r => r.Step, stepCapacity);

    public IReadOnlyList<StepReport> Steps => _steps;
    public IReadOnlyList<EpochReport> Epochs => _epochs;
    public IReadOnlyList<ClusterStepReport> ClusterSteps => _clusterSteps;

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

    public void OnClusterStep(ClusterStepReport report)
    {
        _clusterSteps.Add(report);
        next?.OnClusterStep(report);
    }
}
