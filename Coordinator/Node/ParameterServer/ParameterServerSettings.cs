using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Where periodic checkpoints go and how often (both null: none), and who, if anyone, sees each
/// applied step's summed gradient.
/// </summary>
public sealed record ParameterServerSettings(int? CheckpointEvery, string? CheckpointPath, IGradientObserver? Gradients = null);
