using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Scheduling;

/// <summary>What to do about a shard that failed, was rejected, missed its deadline or lost its worker.</summary>
public abstract record RetryDecision
{
    private RetryDecision()
    {
    }

    /// <summary>The report is about a plan that is no longer current, or a shard already in: nothing to do.</summary>
    public sealed record Stale : RetryDecision;

    /// <summary>The step's shards failed too often (<see cref="FailureKind.Cluster"/>), or the model diverged: the run ends with <paramref name="Failure"/>.</summary>
    public sealed record GiveUp(string Failure, FailureKind Kind) : RetryDecision;

    /// <summary>No worker is ready: start the step again, which waits for one.</summary>
    public sealed record WaitForWorker : RetryDecision;

    /// <summary>The shard goes to another worker (its deadline starts again).</summary>
    public sealed record Reassign(ShardAssignment Assignment) : RetryDecision;
}
