namespace DistTrainer.Core.Checkpoints;

/// <summary>How often a checkpoint that could not be written is tried again, and how long to wait before each try.</summary>
public sealed record CheckpointRetry(int Retries, TimeSpan Delay)
{
    /// <summary>One try, no retry.</summary>
    public static CheckpointRetry None { get; } = new(0, TimeSpan.Zero);
}
