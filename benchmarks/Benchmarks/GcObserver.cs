using DistTrainer.Core.Training;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The garbage collector's share of a run's steps: pause time and full collections between the first
/// step's report and the last one's, so the run's start (datasets loaded, nodes joined) is left out.
/// Every node of the embedded cluster lives in this process, so their collections are all counted.
/// </summary>
public sealed class GcObserver : ITrainingObserver
{
    private TimeSpan firstPause, lastPause;
    private int firstGen2, lastGen2;
    private long firstStep, lastStep;

    public double PauseMillisecondsPerStep => (lastPause - firstPause).TotalMilliseconds / Math.Max(1, lastStep - firstStep);

    public double FullCollectionsPerStep => (double)(lastGen2 - firstGen2) / Math.Max(1, lastStep - firstStep);

    public void OnStep(StepReport report)
    {
        lastPause = GC.GetTotalPauseDuration();
        lastGen2 = GC.CollectionCount(2);
        lastStep = report.Step;
        if (firstStep != 0) return;
        (firstPause, firstGen2, firstStep) = (lastPause, lastGen2, lastStep);
    }

    public void OnEpoch(EpochReport report)
    {
    }
}
