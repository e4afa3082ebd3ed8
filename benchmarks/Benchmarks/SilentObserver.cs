using DistTrainer.Core.Training;

namespace DistTrainer.Benchmarks;

/// <summary>Takes a run's progress reports and shows none: a benchmark reads only the result.</summary>
public sealed class SilentObserver : ITrainingObserver
{
    public void OnStep(StepReport report)
    {
    }

    public void OnEpoch(EpochReport report)
    {
    }
}
