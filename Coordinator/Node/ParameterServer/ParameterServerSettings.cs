using DistTrainer.Cluster.Metrics;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Where periodic checkpoints go and how often (both null: none), and who, if anyone, sees each
/// applied step's summed gradient, and which metrics, if any, time each checkpoint.
/// </summary>
public sealed record ParameterServerSettings(int? CheckpointEvery, string? CheckpointPath, IGradientObserver? Gradients = null,
    RunMetrics? Metrics = null);
