namespace DistTrainer.Coordinator.Standby;

/// <summary>What a snapshot chunk did to the <see cref="SnapshotAssembler"/>.</summary>
public enum SnapshotVerdict
{
    /// <summary>Taken; the snapshot is not complete yet.</summary>
    Partial,

    /// <summary>The last chunk: the snapshot is complete and checked, and is the latest one now.</summary>
    Accepted,

    /// <summary>The snapshot in progress was dropped (the reason says why); the latest complete one is kept.</summary>
    Dropped,

    /// <summary>A later chunk of a snapshot already dropped: nothing to report again.</summary>
    Ignored,
}
