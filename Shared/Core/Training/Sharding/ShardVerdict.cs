namespace DistTrainer.Core.Training.Sharding;

/// <summary>What the aggregator did with one shard result.</summary>
public enum ShardVerdict
{
    /// <summary>The first valid result for a shard of the current step: it will be summed.</summary>
    Accepted,

    /// <summary>A second result for a shard already accepted (a re-assigned shard whose first worker answered too): dropped.</summary>
    Duplicate,

    /// <summary>A result for another step or attempt than the one being aggregated: dropped.</summary>
    Late,

    /// <summary>Malformed: dropped, and the shard must be computed again (elsewhere: its worker may be faulty).</summary>
    Rejected,

    /// <summary>
    /// Well-formed but with a NaN or infinite loss, gradient or statistic: dropped. Computed again on
    /// another worker; if it is not finite there too, the model has diverged.
    /// </summary>
    NotFinite,

    /// <summary>
    /// Accepted, then judged, once the step was complete, far larger than the step's others (<see cref="ShardNormRule"/>):
    /// withdrawn and computed again on another worker.
    /// </summary>
    Outlier,
}
