using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Where periodic checkpoints go and how often (both null: none), who, if anyone, sees each applied
/// step's summed gradient, and the largest ratio of a shard's gradient norm to its step's others
/// (<see cref="Core.Training.Sharding.ShardNormRule"/>; 0: off, as here by default; `train` turns it on).
/// </summary>
public sealed record ParameterServerSettings(int? CheckpointEvery, string? CheckpointPath, IGradientObserver? Gradients = null,
    double MaxShardNormRatio = 0);
