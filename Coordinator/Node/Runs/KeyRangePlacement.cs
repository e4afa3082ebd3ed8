namespace DistTrainer.Coordinator.Runs;

/// <summary>Where the parameter server's key ranges (--ps-shards) are served (--ps-placement).</summary>
public enum KeyRangePlacement
{
    /// <summary>In the coordinator's node: whole results on one stream per worker, unless ps-range-streams says otherwise.</summary>
    Coordinator,

    /// <summary>
    /// One range on each of the first K workers' nodes to register, each range's parts and weights on streams of their own:
    /// a worker sends and receives its share of the others' ranges instead of the whole model at the coordinator.
    /// </summary>
    Workers,

    /// <summary>
    /// One range on each of the first K nodes of role ps to register (`worker --role ps`), which compute nothing: each serves
    /// its range's parts and weights for every worker, as the coordinator's node serves the whole model for them by default.
    /// </summary>
    PsNodes,
}
