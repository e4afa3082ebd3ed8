namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// A run's checkpoint: the file it rewrites, every how many steps (null: only at the end of the run), and the run's
/// planned total step count, recorded in the file so that a resumed run ends where this one would have; a cluster
/// run's logical shards are recorded too, so that a resumed run cuts its batches alike.
/// </summary>
public sealed record CheckpointPlan(string Path, int? Every, long PlannedSteps)
{
    public int? LogicalShards { get; init; }

    /// <summary>Whether the weights of optimizer step <paramref name="version"/> are due a periodic checkpoint.</summary>
    public bool IsDue(long version) => Every is { } every && version > 0 && version % every == 0;
}
