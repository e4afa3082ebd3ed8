namespace DistTrainer.Shared.Training.Sharding;

/// <summary>What the aggregator did with one shard result.</summary>
public enum ShardVerdict
{
    /// <summary>The first valid result for a shard of the current step: it will be summed.</summary>
    Accepted,

    /// <summary>A second result for a shard already accepted (a re-assigned shard whose first worker answered too): dropped.</summary>
    Duplicate,

    /// <summary>A result for another step or attempt than the one being aggregated: dropped.</summary>
    Late,

    /// <summary>Malformed or not finite: dropped, and the shard must be computed again.</summary>
    Rejected,
}
