using DistTrainer.Cluster.Metrics;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The run's checkpoint (null: none) and how a failed write of it is retried (the node's configuration sets
/// <see cref="Retry"/>), who, if anyone, sees each applied step's summed gradient, and which metrics, if any, time each checkpoint.
/// </summary>
public sealed record ParameterServerSettings(CheckpointPlan? Checkpoints, IGradientObserver? Gradients = null,
    RunMetrics? Metrics = null)
{
    public CheckpointRetry Retry { get; init; } = CheckpointRetry.None;
}
