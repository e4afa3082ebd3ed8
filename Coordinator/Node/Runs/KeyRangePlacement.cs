namespace DistTrainer.Coordinator.Runs;

/// <summary>Where the parameter server's key ranges (--ps-shards) are served (--ps-placement).</summary>
public enum KeyRangePlacement
{
    /// <summary>In the coordinator's node: whole results on one stream per worker, unless ps-range-streams says otherwise.</summary>
    Coordinator,

    /// <summary>
    /// The ranges on the first workers' nodes to register, one a node or round --ps-nodes of them, each range's parts and
    /// weights on streams of their own:
    /// a worker sends and receives its share of the others' ranges instead of the whole model at the coordinator.
    /// </summary>
    Workers,

    /// <summary>
    /// The ranges on the first nodes of role ps to register (`worker --role ps`), one a node or round --ps-nodes of them, which
    /// compute nothing: each serves its ranges' parts and weights for every worker, as the coordinator's node serves the whole
    /// model for them by default.
    /// </summary>
    PsNodes,
}
