namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One worker's duplex frame stream. Receiving: after <see cref="Start"/>, the frame handler runs once per checked
/// frame, in arrival order: on a dedicated reader thread over a socket, or on the sending thread when both ends live
/// in one process (<see cref="InProcessWire"/>). Sending: <see cref="Send"/> only enqueues, from any thread, and a
/// dedicated writer thread puts the frames on the wire in enqueue order (in one process the frame is handed over
/// before Send returns). The connection closes exactly once, for the first of: the peer closing, a protocol error,
/// a failed read or write, a throwing handler, a peer that lets the send queue pass its byte bound, or
/// <see cref="Dispose"/>; the closed handler then runs once with the reason. Frames still queued at that
/// moment are discarded, never half-sent as if delivered.
/// </summary>
public sealed class TensorConnection : IDisposable
{
    private readonly FrameWire _wire;
    private readonly int _maxPayloadBytes;
    private readonly long _sendQueueBytes;
    private readonly TimeSpan _threadExitWait;
    private readonly Lock _gate = new();
    private Action<TensorConnection, ReceivedFrame>? _onFrame;
    private Action<TensorConnection, ConnectionClosed>? _onClosed;
    private ConnectionClosed? _closed;

    /// <param name="wire">How the frames travel; the connection owns it.</param>
    /// <param name="peerToken">The stream token the peer's Hello carried (listening side).</param>
    internal TensorConnection(FrameWire wire, string? peerId, DataPlaneOptions options, string? peerToken = null)
    {
        PeerToken = peerToken;
        _wire = wire;
        _maxPayloadBytes = options.MaxPayloadBytes;
        _sendQueueBytes = options.Bounds.SendQueueBytes;
        _threadExitWait = options.Timings.ThreadExitWait;
        PeerId = peerId;
        Peer = peerId is null ? wire.Address : $"'{peerId}' ({wire.Address})";
        wire.Attach(this);
    }

    /// <summary>The id the peer said in its Hello (on the listening side); null on the connecting side.</summary>
    public string? PeerId { get; }

    /// <summary>The stream token the peer's Hello carried (see <see cref="HelloText"/>); null when none, and on the connecting side.</summary>
    public string? PeerToken { get; }

    /// <summary>The peer as messages name it: its Hello id and address, or its address alone.</summary>
    public string Peer { get; }

    /// <summary>True when both ends live in this process and frames are handed over in memory.</summary>
    public bool InProcess => _wire is InProcessWire;

    /// <summary>Header and payload bytes of the frames this side has put on the wire (Hello included).</summary>
    public long BytesSent => _wire.BytesSent;

    /// <summary>Header and payload bytes of the whole frames read from the peer (its Hello included, on the listening side).</summary>
    public long BytesReceived => _wire.BytesReceived;

    public long FramesSent => _wire.FramesSent;

    public long FramesReceived => _wire.FramesReceived;

    /// <summary>Payload bytes queued to send and not yet written.</summary>
    public long QueuedBytes => _wire.QueuedBytes;

    /// <summary>The most payload bytes ever queued to send at once: at most the send-queue bound, or one frame.</summary>
    public long PeakQueuedBytes => _wire.PeakQueuedBytes;

    /// <summary>Null while open; then why it closed.</summary>
    public ConnectionClosed? CloseReason
    {
        get { lock (_gate) return _closed; }
    }

    /// <summary>
    /// Starts receiving. <paramref name="frameHandler"/> owns each frame's payload array; it runs on the reader thread,
    /// or, in one process, on the sender's thread, so it must hand the frame on and return (never block or send).
    /// <paramref name="closedHandler"/> runs exactly once, on whichever thread closed the connection (at once, here,
    /// if it closed before Start); it must not block for long.
    /// </summary>
    public void Start(Action<TensorConnection, ReceivedFrame> frameHandler, Action<TensorConnection, ConnectionClosed> closedHandler)
    {
        ConnectionClosed? alreadyClosed;
        lock (_gate)
        {
            if (_onFrame is not null) throw new InvalidOperationException($"data plane connection to {Peer}: already started");
            _onFrame = frameHandler;
            _onClosed = closedHandler;
            alreadyClosed = _closed;
        }
        if (alreadyClosed is not null) closedHandler(this, alreadyClosed);
        else _wire.Start();
    }

    /// <summary>
    /// Queues a float frame and returns at once; PayloadBytes and Checksum of <paramref name="header"/> are
    /// filled in here. The caller must not change <paramref name="payload"/> afterwards: it is written to the
    /// socket later, from that memory. <paramref name="written"/>, if given, runs on the writer thread once
    /// the memory is free again: the frame is on the wire, or was dropped because the connection closed
    /// (a received payload can be given back to its pool there). Returns false, queuing nothing and never
    /// calling <paramref name="written"/>, when the connection is closed, or when the frame would pass the
    /// send queue's byte bound: the peer is not draining its stream, so that closes the connection.
    /// </summary>
    public bool Send(FrameHeader header, ReadOnlyMemory<float> payload, Action? written = null) =>
        SendFloats(header, payload, written, here: false);

    /// <summary>
    /// As <see cref="Send"/>, but when nothing is queued before the frame, the calling thread writes it itself and
    /// returns once it is on the wire: no hand-off to the writer thread. Only for a thread that may block (a
    /// worker's compute thread sending its result), never an actor.
    /// </summary>
    public bool SendHere(FrameHeader header, ReadOnlyMemory<float> payload, Action? written = null) =>
        SendFloats(header, payload, written, here: true);

    /// <summary>
    /// Queues a text frame (Hello, Refused) holding <paramref name="text"/> as UTF-8; false when closed.
    /// <paramref name="written"/> runs as for <see cref="Send"/>: closing the connection there lets a
    /// refusal reach the peer first (a close right after queuing discards it).
    /// </summary>
    public bool SendText(FrameHeader header, string text, Action? written = null)
    {
        var payload = FrameText.Encode(text, out int bytes);
        if (bytes > _maxPayloadBytes)
            throw new ArgumentException($"text of {bytes} bytes exceeds the data plane limit of {_maxPayloadBytes} bytes", nameof(text));
        return Enqueue(header with { PayloadBytes = bytes }, payload, written, here: false);
    }

    /// <summary>
    /// Tells the peer why it is refused (a <see cref="FrameKind.Refused"/> frame holding <paramref name="reason"/>) and closes the
    /// connection once that frame is written, or at once when it cannot be queued.
    /// </summary>
    public void Refuse(string reason)
    {
        if (!SendText(new FrameHeader(FrameKind.Refused), reason, Dispose)) Dispose();
    }

    /// <summary>Closes the connection (cause <see cref="CloseCause.Disposed"/> unless it had closed already) and waits briefly for its threads.</summary>
    public void Dispose()
    {
        Close(CloseCause.Disposed, "disposed by this side");
        _wire.Join(_threadExitWait);
    }

    private bool SendFloats(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, bool here)
    {
        long bytes = (long)payload.Length * sizeof(float);
        if (bytes > _maxPayloadBytes)
            throw new ArgumentException($"payload of {bytes} bytes exceeds the data plane limit of {_maxPayloadBytes} bytes", nameof(payload));
        return Enqueue(header with { PayloadBytes = (int)bytes }, payload, written, here);
    }

    private bool Enqueue(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, bool here)
    {
        lock (_gate)
        {
            if (_closed is not null) return false;
        }
        switch (_wire.Send(header with { Checksum = 0 }, payload, written, here))
        {
            case EnqueueOutcome.Queued:
                return true;
            case EnqueueOutcome.OverBound:
                Close(CloseCause.PeerNotDraining, $"the peer is not draining its stream: {_wire.QueuedBytes} bytes queued, " +
                                                  $"and a {header.Kind} frame of {header.PayloadBytes} bytes would pass the bound of {_sendQueueBytes} bytes");
                return false;
            default:
                return false;
        }
    }

    /// <summary>Hands a received frame to the handler; false when the handler threw, which closes the connection.</summary>
    internal bool Deliver(ReceivedFrame frame)
    {
        try
        {
            _onFrame!(this, frame);
            return true;
        }
        catch (Exception e)
        {
            Close(CloseCause.HandlerFailed, $"the frame handler threw {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    internal void Close(CloseCause cause, string detail)
    {
        ConnectionClosed reason;
        Action<TensorConnection, ConnectionClosed>? notify;
        lock (_gate)
        {
            if (_closed is not null) return;
            _closed = reason = new ConnectionClosed(cause, $"data plane connection to {Peer} closed: {detail}");
            notify = _onClosed;
        }
        _wire.Close();
        notify?.Invoke(this, reason);
    }
}
