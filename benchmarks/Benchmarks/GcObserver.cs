using DistTrainer.Core.Training;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The garbage collector's share of a run's steps: pause time and full collections between the first
/// step's report and the last one's, so the run's start (datasets loaded, nodes joined) is left out.
/// Every node of the embedded cluster lives in this process, so their collections are all counted.
/// </summary>
public sealed class GcObserver : ITrainingObserver
{
    private TimeSpan _firstPause, _lastPause;
    private int _firstGen2, _lastGen2;
    private long _firstStep, _lastStep;

    public double PauseMillisecondsPerStep => (_lastPause - _firstPause).TotalMilliseconds / Math.Max(1, _lastStep - _firstStep);

    public double FullCollectionsPerStep => (double)(_lastGen2 - _firstGen2) / Math.Max(1, _lastStep - _firstStep);

    public void OnStep(StepReport report)
    {
        _lastPause = GC.GetTotalPauseDuration();
        _lastGen2 = GC.CollectionCount(2);
        _lastStep = report.Step;
        if (_firstStep != 0) return;
        (_firstPause, _firstGen2, _firstStep) = (_lastPause, _lastGen2, _lastStep);
    }

    public void OnEpoch(EpochReport report)
    {
    }
}
