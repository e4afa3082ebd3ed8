using System.Net.Sockets;
using System.Security.Authentication;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One worker's duplex frame stream. Receiving: after <see cref="Start"/>, a dedicated reader thread
/// calls the frame handler once per checked frame, in arrival order. Sending: <see cref="Send"/> only
/// enqueues, from any thread, and a dedicated writer thread puts the frames on the wire in enqueue order.
/// The connection closes exactly once, for the first of: the peer closing, a protocol error, a failed
/// read or write, a throwing handler, a peer that lets the send queue pass its byte bound, or
/// <see cref="Dispose"/>; the closed handler then runs once with the reason. Frames still queued at that
/// moment are discarded, never half-sent as if delivered.
/// </summary>
public sealed class TensorConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly FrameReader _reader;
    private readonly FrameSender _sender;
    private readonly int _maxPayloadBytes;
    private readonly long _sendQueueBytes;
    private readonly TimeSpan _threadExitWait;
    private readonly Lock _gate = new();
    private Thread? _readerThread;
    private Action<TensorConnection, ReceivedFrame>? _onFrame;
    private Action<TensorConnection, ConnectionClosed>? _onClosed;
    private ConnectionClosed? _closed;

    /// <param name="stream">What frames travel on over <paramref name="socket"/> (<see cref="ConnectionStream"/>); the connection owns both.</param>
    /// <param name="helloBytes">The bytes of the Hello already read from <paramref name="stream"/> (listening side).</param>
    /// <param name="peerToken">The stream token the peer's Hello carried (listening side).</param>
    internal TensorConnection(Socket socket, Stream stream, string? peerId, long helloBytes, DataPlaneOptions options, string? peerToken = null)
    {
        PeerToken = peerToken;
        this._socket = socket;
        this._stream = stream;
        this._reader = new FrameReader(stream, options, helloBytes);
        _maxPayloadBytes = options.MaxPayloadBytes;
        _sendQueueBytes = options.Bounds.SendQueueBytes;
        _threadExitWait = options.Timings.ThreadExitWait;
        PeerId = peerId;
        string address = PeerAddress.Describe(socket.RemoteEndPoint);
        Peer = peerId is null ? address : $"'{peerId}' ({address})";
        _sender = new FrameSender(stream, Peer, _sendQueueBytes, e => Close(CloseCause.SendFailed, $"sending failed: {e.Message}"),
            options.Link?.Send);
    }

    /// <summary>The id the peer said in its Hello (on the listening side); null on the connecting side.</summary>
    public string? PeerId { get; }

    /// <summary>The stream token the peer's Hello carried (see <see cref="HelloText"/>); null when none, and on the connecting side.</summary>
    public string? PeerToken { get; }

    /// <summary>The peer as messages name it: its Hello id and address, or its address alone.</summary>
    public string Peer { get; }

    /// <summary>Header and payload bytes of the frames this side has put on the wire (Hello included).</summary>
    public long BytesSent => _sender.BytesSent;

    /// <summary>Header and payload bytes of the whole frames read from the peer (its Hello included, on the listening side).</summary>
    public long BytesReceived => _reader.BytesReceived;

    public long FramesSent => _sender.FramesSent;

    public long FramesReceived => _reader.FramesReceived;

    /// <summary>Payload bytes queued to send and not yet written.</summary>
    public long QueuedBytes => _sender.QueuedBytes;

    /// <summary>The most payload bytes ever queued to send at once: at most the send-queue bound, or one frame.</summary>
    public long PeakQueuedBytes => _sender.PeakQueuedBytes;

    /// <summary>Null while open; then why it closed.</summary>
    public ConnectionClosed? CloseReason
    {
        get { lock (_gate) return _closed; }
    }

    /// <summary>
    /// Starts the reader. <paramref name="frameHandler"/> runs on the reader thread and owns each frame's
    /// payload array. <paramref name="closedHandler"/> runs exactly once, on whichever thread closed the
    /// connection (at once, here, if it closed before Start); it must not block for long.
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
            if (alreadyClosed is null)
            {
                _readerThread = new Thread(ReadFrames) { IsBackground = true, Name = $"data plane receive from {Peer}" };
                _readerThread.Start();
            }
        }
        if (alreadyClosed is not null) closedHandler(this, alreadyClosed);
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

    /// <summary>Closes the connection (cause <see cref="CloseCause.Disposed"/> unless it had closed already) and waits briefly for its threads.</summary>
    public void Dispose()
    {
        Close(CloseCause.Disposed, "disposed by this side");
        foreach (var thread in new[] { _readerThread, _sender.Thread })
        {
            if (thread is not null && thread != Thread.CurrentThread) thread.Join(_threadExitWait);
        }
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
        header = header with { Checksum = 0 };
        switch (here ? _sender.TryWriteHere(header, payload, written) : _sender.TryEnqueue(header, payload, written))
        {
            case EnqueueOutcome.Queued:
                return true;
            case EnqueueOutcome.OverBound:
                Close(CloseCause.PeerNotDraining, $"the peer is not draining its stream: {_sender.QueuedBytes} bytes queued, " +
                                                  $"and a {header.Kind} frame of {header.PayloadBytes} bytes would pass the bound of {_sendQueueBytes} bytes");
                return false;
            default:
                return false;
        }
    }

    private void ReadFrames()
    {
        try
        {
            while (_reader.Read() is { } frame)
            {
                if (!Deliver(frame)) return;
            }
            Close(CloseCause.PeerClosed, "peer closed the connection");
        }
        catch (EndOfStreamException e)
        {
            Close(CloseCause.PeerClosed, e.Message);
        }
        catch (FrameProtocolException e)
        {
            Close(CloseCause.ProtocolError, $"protocol error: {e.Message}");
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted } reset)
        {
            Close(CloseCause.PeerClosed, $"connection reset: {reset.Message}");
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or AuthenticationException)
        {
            Close(CloseCause.ReceiveFailed, $"receiving failed: {e.Message}");
        }
    }

    /// <summary>False when the handler threw, which closes the connection.</summary>
    private bool Deliver(ReceivedFrame frame)
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

    private void Close(CloseCause cause, string detail)
    {
        ConnectionClosed reason;
        Action<TensorConnection, ConnectionClosed>? notify;
        lock (_gate)
        {
            if (_closed is not null) return;
            _closed = reason = new ConnectionClosed(cause, $"data plane connection to {Peer} closed: {detail}");
            notify = _onClosed;
        }
        _sender.Complete();
        // The socket first: a read or write blocked in the stream then fails at once, whatever the stream wraps.
        _socket.Dispose();
        _stream.Dispose();
        notify?.Invoke(this, reason);
    }
}
