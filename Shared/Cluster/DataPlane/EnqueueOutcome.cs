namespace DistTrainer.Cluster.DataPlane;

/// <summary>What became of a frame handed to a connection's send queue.</summary>
internal enum EnqueueOutcome
{
    Queued,

    /// <summary>The connection had closed; nothing was queued.</summary>
    Closed,

    /// <summary>The frame would have passed the queue's byte bound; nothing was queued, and the connection must close.</summary>
    OverBound,
}
