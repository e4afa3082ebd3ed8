using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.Scheduling;

/// <summary>
/// Gives a step's logical shards to the ready workers: each shard to exactly one worker, a worker's shards
/// contiguous, their number in proportion to its weight (its measured throughput, or 1 for equal). With more
/// workers than shards, the heaviest workers take one each (the first among equals). Which worker computes a
/// shard changes only the time a step takes, never its arithmetic: the shards themselves are cut by the job.
/// </summary>
public static class ShardOwners
{
    /// <summary>For each of <paramref name="shards"/> logical shards, the index in <paramref name="weights"/> of the worker that computes it.</summary>
    public static int[] Assign(int shards, ReadOnlySpan<double> weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        if (weights.IsEmpty) throw new ArgumentException("no workers to assign shards to", nameof(weights));
        if (weights.Length >= shards)
        {
            var weight = weights.ToArray();
            return Enumerable.Range(0, weight.Length).OrderByDescending(i => weight[i]).ThenBy(i => i).Take(shards).Order().ToArray();
        }
        // Apportioning shards over workers is cutting a batch of `shards` rows over them, at least one each.
        var owners = new int[shards];
        int next = 0;
        foreach (var portion in ShardSplitter.Split(shards, weights, minRows: 1))
            for (int i = 0; i < portion.Count; i++) owners[next++] = portion.Id;
        return owners;
    }
}
