namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// How a <see cref="TensorConnection"/>'s frames travel: over a socket (<see cref="SocketWire"/>) or, between two ends
/// in one process, handed over in memory (<see cref="InProcessWire"/>). The connection keeps what both share (its
/// handlers, closing once, the limits); the wire moves frames, counts them and calls back into the connection with
/// each received frame (<see cref="TensorConnection.Deliver"/>) and when it fails (<see cref="TensorConnection.Close"/>).
/// </summary>
internal abstract class FrameWire
{
    /// <summary>The peer's address as messages write it.</summary>
    public abstract string Address { get; }

    /// <summary>Header and payload bytes of the frames this side has sent.</summary>
    public abstract long BytesSent { get; }

    /// <summary>Header and payload bytes of the whole frames received (with the Hello, on the listening side).</summary>
    public abstract long BytesReceived { get; }

    public abstract long FramesSent { get; }

    public abstract long FramesReceived { get; }

    /// <summary>Payload bytes sent and not yet taken by the peer.</summary>
    public abstract long QueuedBytes { get; }

    /// <summary>The most payload bytes ever waiting at once.</summary>
    public abstract long PeakQueuedBytes { get; }

    /// <summary>Called once, by the connection's constructor, before any frame moves.</summary>
    public abstract void Attach(TensorConnection connection);

    /// <summary>Begins handing received frames to the connection, in arrival order.</summary>
    public abstract void Start();

    /// <summary>
    /// Takes a frame as <see cref="TensorConnection.Send"/> describes; with <paramref name="here"/>, the calling thread
    /// may write it itself. The header's PayloadBytes is filled in; its checksum is the wire's to set.
    /// </summary>
    public abstract EnqueueOutcome Send(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, bool here);

    /// <summary>Stops moving frames; called once, by the connection as it closes.</summary>
    public abstract void Close();

    /// <summary>Waits up to <paramref name="wait"/> for each thread of the wire's own to end.</summary>
    public abstract void Join(TimeSpan wait);
}
