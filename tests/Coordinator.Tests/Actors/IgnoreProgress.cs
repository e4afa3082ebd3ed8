using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>An observer for runs whose progress a test does not look at (it reads the run's report).</summary>
internal sealed class IgnoreProgress : ITrainingObserver
{
    public void OnStep(StepReport report)
    {
    }

    public void OnEpoch(EpochReport report)
    {
    }
}
