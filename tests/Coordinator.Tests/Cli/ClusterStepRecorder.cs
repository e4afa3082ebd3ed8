using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>Every cluster step's report of a run, in order: the program keeps none, so a test that reads them keeps its own.</summary>
internal sealed class ClusterStepRecorder : ITrainingObserver
{
    private readonly List<ClusterStepReport> _steps = [];

    public IReadOnlyList<ClusterStepReport> Steps => _steps;

    public void OnStep(StepReport report)
    {
    }

    public void OnEpoch(EpochReport report)
    {
    }

    public void OnClusterStep(ClusterStepReport report) => _steps.Add(report);
}
