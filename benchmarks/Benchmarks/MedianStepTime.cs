using DistTrainer.Core.Training;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Every cluster step's time and slowest shard's compute after the first <paramref name="warmUp"/> steps (connections, JIT),
/// for medians one slow step cannot move.
/// </summary>
public sealed class MedianStepTime(int warmUp) : ITrainingObserver
{
    private readonly List<double> _step = [];
    private readonly List<double> _compute = [];

    public double StepSeconds => Median(_step);

    public double ComputeSeconds => Median(_compute);

    private double Median(List<double> seconds) => seconds.Count > 0
        ? Statistics.Median(seconds)
        : throw new InvalidOperationException($"no cluster step after the {warmUp} warm-up steps");

    public void OnStep(StepReport report)
    {
    }

    public void OnEpoch(EpochReport report)
    {
    }

    public void OnClusterStep(ClusterStepReport report)
    {
        if (report.Step < warmUp) return;
        _step.Add(report.StepSeconds);
        _compute.Add(report.ComputeSeconds);
    }
}
