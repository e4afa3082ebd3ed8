namespace DistTrainer.Core.Training;

/// <summary>Why a run stopped early: each cause has its own exit code, so a script can tell them apart.</summary>
public enum FailureKind
{
    /// <summary>The loss or a gradient became NaN/Inf.</summary>
    NotFinite,

    /// <summary>The cluster could not train: no worker was ready in time, or a step's shards failed too often.</summary>
    Cluster,

    /// <summary>The periodic checkpoint could not be written, retries included.</summary>
    Checkpoint,

    /// <summary>
    /// A key range's server was lost (--ps-placement): the run rolls back to the last state gathered from every range on a
    /// fresh coordinator node, or, with no rollback left, ends.
    /// </summary>
    RangeLost,

    /// <summary>
    /// The parameter server failed (an error in one of its handlers): its state can no longer be trusted, so nothing is written
    /// from it; the newest periodic checkpoint is where a restart with --resume goes on from.
    /// </summary>
    ParameterServer,

    /// <summary>
    /// Another coordinator trains the run: a standby took it over while this first coordinator was down (this one ended
    /// before its first step), or this one handed it to a standby when a key range's server was lost. This one writes no
    /// final checkpoint or summary, and `coordinator` stands by for that run instead.
    /// </summary>
    Superseded,
}
