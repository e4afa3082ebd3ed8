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
}
