using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One end of a connection whose two ends live in one process (the embedded cluster's workers and its parameter
/// server). Sending hands the frame to the receiving end's handler on the sending thread: no socket, no writer or
/// reader thread to wake, no checksum (memory is not a wire that damages bytes). Over loopback TCP each frame cost two
/// copies through the kernel and two thread wake-ups, most of an embedded step's communication
/// (docs/benchmarks/cluster.md). A float frame sent with a "written" callback is not copied at all: its array is lent
/// to the receiver (<see cref="LentPayloads"/>), and the callback runs when the receiver gives it back to a pool, which
/// is the contract a socket keeps too (the sender's memory is free once "written" runs). The weights the parameter
/// server sends every worker, and each worker's result, travel this way: one model-sized copy fewer per frame, on the
/// step's critical path. Other frames are copied into an array of the receiving end's pool, and the sender's memory
/// is free once Send returns. Deliveries to one end are serialised, in the order the sends took the end's lock. Frames
/// sent before the receiver starts wait, up to the receiving end's send-queue bound; past it the sender is told
/// the peer is not draining, as over a socket. Handlers never block. A worker's handler only hands frames on; the
/// parameter server's runs the server itself on the sending thread (its dispatcher's SenderThreadExecutor), which sends
/// the step's weights to every worker from inside this end's delivery lock. That takes a worker end's lock while holding a
/// server end's, never the reverse (a worker's handler sends nothing), so the locks cannot deadlock.
/// </summary>
internal sealed class InProcessWire : FrameWire
{
    private readonly DataPlaneOptions _options;
    private readonly Lock _inbound = new();
    private readonly ConcurrentQueue<ReceivedFrame> _early = new();
    private long _earlyBytes;
    private long _peakEarlyBytes;
    private bool _started;
    private volatile bool _closed;
    private InProcessWire _peer = null!;
    private TensorConnection _connection = null!;
    private long _bytesSent;
    private long _bytesReceived;
    private long _framesSent;
    private long _framesReceived;

    private InProcessWire(DataPlaneOptions options) => _options = options;

    /// <summary>
    /// The two ends of one connection; each receives into its own options' pool and within its own options'
    /// payload limit. <paramref name="helloBytes"/>: the Hello the connecting side would have sent over a socket counts
    /// as it does there (a frame and its bytes sent; on the listening side, its bytes received, read before the frames),
    /// so that counts do not depend on the wire.
    /// </summary>
    public static (InProcessWire Connecting, InProcessWire Listening) Pair(DataPlaneOptions connecting, DataPlaneOptions listening, long helloBytes)
    {
        var a = new InProcessWire(connecting) { _bytesSent = helloBytes, _framesSent = 1 };
        var b = new InProcessWire(listening) { _bytesReceived = helloBytes };
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    public override string Address => "in process";

    public override long BytesSent => Interlocked.Read(ref _bytesSent);

    public override long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public override long FramesSent => Interlocked.Read(ref _framesSent);

    public override long FramesReceived => Interlocked.Read(ref _framesReceived);

    public override long QueuedBytes
    {
        get { lock (_peer._inbound) return _peer._earlyBytes; }
    }

    public override long PeakQueuedBytes
    {
        get { lock (_peer._inbound) return _peer._peakEarlyBytes; }
    }

    public override void Attach(TensorConnection connection) => _connection = connection;

    public override void Start()
    {
        lock (_inbound)
        {
            _started = true;
            while (!_closed && _early.TryDequeue(out var frame))
            {
                _earlyBytes -= frame.Header.PayloadBytes;
                if (!_connection.Deliver(frame)) break;
            }
        }
    }

    public override EnqueueOutcome Send(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, bool here)
    {
        var outcome = _peer.Receive(header, payload, written, out bool lent);
        if (outcome != EnqueueOutcome.Queued) return outcome;
        Interlocked.Add(ref _bytesSent, FrameFormat.HeaderBytes + header.PayloadBytes);
        Interlocked.Increment(ref _framesSent);
        if (!lent) written?.Invoke();
        return EnqueueOutcome.Queued;
    }

    /// <summary>
    /// The flag alone, never the delivery lock: both ends close each other, possibly from handlers running under their
    /// own locks. Frames still waiting for Start go back to their pools (a lent one to its sender, whose "written" runs).
    /// </summary>
    public override void Close()
    {
        _closed = true;
        Interlocked.MemoryBarrier();
        DropEarly();
        _peer._connection.Close(CloseCause.PeerClosed, "peer closed the connection");
    }

    /// <summary>
    /// Safe beside Start and Receive: each frame is dequeued once. Receive drops again after queuing a frame when it
    /// finds the end closed, so a frame queued as Close drained is not left behind.
    /// </summary>
    private void DropEarly()
    {
        while (_early.TryDequeue(out var frame)) _options.Payloads.Return(frame.Payload);
    }

    public override void Join(TimeSpan wait)
    {
    }

    /// <summary>
    /// Takes a frame into this end, within its length limit and, before Start, its send-queue bound: see <see cref="Take"/>.
    /// </summary>
    private EnqueueOutcome Receive(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, out bool lent)
    {
        lent = false;
        lock (_inbound)
        {
            if (_closed) return EnqueueOutcome.Closed;
            ReceivedFrame frame;
            try
            {
                FrameChecks.Length(header, _options.MaxPayloadBytes);
                if (!_started && _earlyBytes > 0 && _earlyBytes + header.PayloadBytes > _options.Bounds.SendQueueBytes) return EnqueueOutcome.OverBound;
                frame = Take(header, payload, written, out lent);
            }
            catch (FrameProtocolException e)
            {
                _connection.Close(CloseCause.ProtocolError, $"protocol error: {e.Message}");
                return EnqueueOutcome.Closed;
            }
            Interlocked.Add(ref _bytesReceived, FrameFormat.HeaderBytes + header.PayloadBytes);
            Interlocked.Increment(ref _framesReceived);
            if (_started)
            {
                _connection.Deliver(frame);
                return EnqueueOutcome.Queued;
            }
            _early.Enqueue(frame);
            _earlyBytes += header.PayloadBytes;
            _peakEarlyBytes = Math.Max(_peakEarlyBytes, _earlyBytes);
            if (_closed) DropEarly();
            return EnqueueOutcome.Queued;
        }
    }

    /// <summary>
    /// A float frame whose payload is a whole array of exactly its length, sent with a "written" callback (the sender
    /// waits for it before reusing the memory): that array can be handed over as the received payload. Text frames are
    /// always copied: their callback closes the connection (a refusal), which must not wait on the receiver.
    /// </summary>
    private static float[]? Lendable(FrameHeader header, ReadOnlyMemory<float> payload) =>
        !FrameFormat.IsText(header.Kind) && MemoryMarshal.TryGetArray(payload, out var segment) && segment.Offset == 0 &&
        segment.Count == segment.Array!.Length && header.PayloadBytes == segment.Count * sizeof(float) && segment.Count > 0
            ? segment.Array
            : null;

    /// <summary>
    /// The sender's array itself when it can be lent (<see cref="Lendable"/>; then <paramref name="lent"/> is true and
    /// <paramref name="written"/> runs when the receiver gives the array back to a pool), else a copy in this end's pool,
    /// whose text, for a text frame, must be UTF-8.
    /// </summary>
    /// <exception cref="FrameProtocolException">a copied text frame that is not UTF-8</exception>
    private ReceivedFrame Take(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, out bool lent)
    {
        lent = false;
        if (written is not null && Lendable(header, payload) is { } array)
        {
            LentPayloads.Lend(array, written);
            lent = true;
            return new ReceivedFrame(header, array);
        }
        var copy = _options.Payloads.RentForFrame(header.PayloadBytes);
        MemoryMarshal.AsBytes(payload.Span)[..header.PayloadBytes].CopyTo(MemoryMarshal.AsBytes(copy.AsSpan()));
        var frame = new ReceivedFrame(header, copy);
        FrameChecks.Text(frame);
        return frame;
    }
}
