using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One end of a connection whose two ends live in one process (the embedded cluster's workers and its parameter
/// server). Sending copies the payload into an array rented from the receiving end's pool and hands the frame to that
/// end's handler on the sending thread: no socket, no writer or reader thread to wake, no checksum (memory is not a
/// wire that damages bytes). Over loopback TCP each frame cost two copies through the kernel and two thread
/// wake-ups, most of an embedded step's communication (docs/benchmarks/cluster.md). The receiver owns the copy as
/// it owns a frame read from a socket, and the sender's memory is free once Send returns, so both ends keep the
/// socket wire's contract. Deliveries to one end are serialised, in the order the sends took the end's lock. Frames
/// sent before the receiver starts wait, up to the receiving end's send-queue bound; past it the sender is told
/// the peer is not draining, as over a socket. Handlers on both sides only hand frames on (they never block or
/// send), which is what makes running them on the sender's thread safe.
/// </summary>
internal sealed class InProcessWire : FrameWire
{
    private readonly DataPlaneOptions _options;
    private readonly Lock _inbound = new();
    private readonly Queue<ReceivedFrame> _early = new();
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
        var outcome = _peer.Receive(header, MemoryMarshal.AsBytes(payload.Span)[..header.PayloadBytes]);
        if (outcome != EnqueueOutcome.Queued) return outcome;
        Interlocked.Add(ref _bytesSent, FrameFormat.HeaderBytes + header.PayloadBytes);
        Interlocked.Increment(ref _framesSent);
        written?.Invoke();
        return EnqueueOutcome.Queued;
    }

    /// <summary>
    /// The flag alone, never the delivery lock: both ends close each other, possibly from handlers running under their
    /// own locks. Frames still waiting for Start are dropped to the collector.
    /// </summary>
    public override void Close()
    {
        _closed = true;
        _peer._connection.Close(CloseCause.PeerClosed, "peer closed the connection");
    }

    public override void Join(TimeSpan wait)
    {
    }

    private EnqueueOutcome Receive(FrameHeader header, ReadOnlySpan<byte> bytes)
    {
        lock (_inbound)
        {
            if (_closed) return EnqueueOutcome.Closed;
            ReceivedFrame frame;
            try
            {
                frame = Copy(header, bytes);
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
            if (_earlyBytes > 0 && _earlyBytes + header.PayloadBytes > _options.Bounds.SendQueueBytes) return EnqueueOutcome.OverBound;
            _early.Enqueue(frame);
            _earlyBytes += header.PayloadBytes;
            _peakEarlyBytes = Math.Max(_peakEarlyBytes, _earlyBytes);
            return EnqueueOutcome.Queued;
        }
    }

    /// <summary>The receiving end's checks of a frame it did not read: its own length limit, and text that is UTF-8.</summary>
    /// <exception cref="FrameProtocolException">the frame fails them</exception>
    private ReceivedFrame Copy(FrameHeader header, ReadOnlySpan<byte> bytes)
    {
        FrameChecks.Length(header, _options.MaxPayloadBytes);
        var payload = _options.Payloads.RentForFrame(header.PayloadBytes);
        bytes.CopyTo(MemoryMarshal.AsBytes(payload.AsSpan()));
        var frame = new ReceivedFrame(header, payload);
        FrameChecks.Text(frame);
        return frame;
    }
}
