namespace DistTrainer.Cluster.DataPlane;

/// <summary>Why a <see cref="TensorConnection"/> closed; <see cref="Message"/> names the peer and what happened.</summary>
public sealed record ConnectionClosed(CloseCause Cause, string Message);

public enum CloseCause
{
    /// <summary>The peer closed or reset the connection (between frames or inside one).</summary>
    PeerClosed,

    /// <summary>The peer sent something that is not a valid frame: magic, version, length, checksum or text.</summary>
    ProtocolError,

    /// <summary>Reading from the socket failed for another reason.</summary>
    ReceiveFailed,

    /// <summary>Writing a frame to the socket failed.</summary>
    SendFailed,

    /// <summary>The peer did not drain its stream: one more frame would have passed the send queue's byte bound.</summary>
    PeerNotDraining,

    /// <summary>The owner's frame handler threw.</summary>
    HandlerFailed,

    /// <summary>This side disposed the connection.</summary>
    Disposed,
}
