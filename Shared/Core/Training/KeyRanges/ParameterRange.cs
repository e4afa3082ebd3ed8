namespace DistTrainer.Core.Training.KeyRanges;

/// <summary>
/// One contiguous range [Offset, Offset + Length) of the flat parameter vector, and the batch-norm layers
/// (indices into the model's batch-norm layers) whose running statistics are folded with it.
/// </summary>
public sealed record ParameterRange(int Offset, int Length, IReadOnlyList<int> BatchNorms);
