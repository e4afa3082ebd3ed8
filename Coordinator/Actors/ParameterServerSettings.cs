namespace DistTrainer.Coordinator.Actors;

/// <summary>Where periodic checkpoints go and how often (both null: none).</summary>
public sealed record ParameterServerSettings(int? CheckpointEvery, string? CheckpointPath);
