namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// What one checkpoint holds, copied out of the model and optimizer at <see cref="Step"/>: its tensors and metadata
/// (without the checksum, which <see cref="ModelCheckpoint.Write"/> adds). Nothing in it changes as training goes on.
/// </summary>
public sealed record CheckpointContent(IReadOnlyList<SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata, long Step);
