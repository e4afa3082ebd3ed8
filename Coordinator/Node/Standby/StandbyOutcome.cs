namespace DistTrainer.Coordinator.Standby;

/// <summary>How a standby's wait ended.</summary>
public enum StandbyOutcome
{
    /// <summary>No older coordinator node is left in the cluster: this standby trains the run from here.</summary>
    TakeOver,

    /// <summary>The active coordinator ended the run, or the standby was asked to stop.</summary>
    Stood,

    /// <summary>
    /// The standby's own node was removed from the cluster first: the split-brain resolver downed it, as it downs every
    /// node when members are lost too close together to tell which side should live.
    /// </summary>
    Removed,

    /// <summary>The standby's node did not join the cluster within the join timeout: no seed node took it in.</summary>
    NotJoined,
}
