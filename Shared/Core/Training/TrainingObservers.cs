namespace DistTrainer.Core.Training;

/// <summary>
/// Several observers of one run as one (the progress printer, an event-file writer, a metrics exporter): each
/// report goes to every observer, in the order given.
/// </summary>
public sealed class TrainingObservers(params ITrainingObserver[] observers) : ITrainingObserver
{
    public void OnStep(StepReport report)
    {
        foreach (var observer in observers)
            observer.OnStep(report);
    }

    public void OnEpoch(EpochReport report)
    {
        foreach (var observer in observers)
            observer.OnEpoch(report);
    }

    public void OnClusterStep(ClusterStepReport report)
    {
        foreach (var observer in observers)
            observer.OnClusterStep(report);
    }
}
