namespace DistTrainer.Cluster.KeyRanges;

/// <summary>What became of a piece of a result.</summary>
public enum PieceState
{
    /// <summary>Kept; its result waits for its other pieces.</summary>
    Held,

    /// <summary>Its result is whole: the outcome carries the head, the gradient's norm and whether every part was finite.</summary>
    Whole,

    /// <summary>A head not for the step's attempt being aggregated: the aggregator judges it.</summary>
    NotCurrent,

    /// <summary>Dropped: a piece of another step or attempt, or one sent twice.</summary>
    Dropped,

    /// <summary>A part that cannot belong to its range: released, and its worker's result for the shard is bad.</summary>
    Malformed,
}
