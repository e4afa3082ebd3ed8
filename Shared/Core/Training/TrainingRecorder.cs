namespace DistTrainer.Core.Training;

/// <summary>
/// Keeps every step's loss and accuracy, every epoch's report and every cluster step's times and counts, for curves drawn after the run, and
/// passes each report on to <paramref name="next"/> (the progress printer, or nobody).
/// </summary>
public sealed class TrainingRecorder(ITrainingObserver? next = null) : ITrainingObserver
{
    private readonly List<StepReport> _steps = new();
    private readonly List<EpochReport> _epochs = new();
    private readonly List<ClusterStepReport> _clusterSteps = new();

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
