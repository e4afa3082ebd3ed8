using System.IO.Hashing;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One connection's outgoing queue and the thread that drains it: callers enqueue and return at
/// once; the thread checksums each frame and writes header and payload to the connection's stream
/// (the socket's own, or a TLS session over it) from the caller's memory, without copying it. Each
/// frame's written callback runs once its memory is no longer needed: after it is on the wire, or
/// when the queue is dropped because the connection closed.
/// The payload bytes queued and not yet written are bounded: a peer that stops reading must not make
/// this side hold every frame meant for it (one frame is always taken into an empty queue).
/// The queue wakes its thread directly: a channel's waiter is woken through the thread pool, which
/// the actors share, and that hop was measured at 0.5-1 ms of every frame's latency. A caller that may
/// block can write a frame itself when nothing is queued before it (<see cref="TryWriteHere"/>), which
/// saves waking the thread at all: one frame is written at a time, by either, in enqueue order.
/// </summary>
internal sealed class FrameSender
{
    private readonly Queue<OutgoingFrame> _queue = new();
    private bool _completed;
    private bool _writing;
    private long _queuedBytes;
    private long _peakQueuedBytes;
    private readonly long _boundBytes;
    private readonly Stream _stream;
    private readonly Action<Exception> _onFailure;
    private readonly byte[] _header = new byte[FrameFormat.HeaderBytes];
    private readonly XxHash3 _hash = new();
    private long _bytesSent;
    private long _framesSent;

    private readonly TokenBucket? _link;

    /// <param name="link">
    /// The node's modelled send link: a frame is written once the link has carried the frames charged before it, by this
    /// connection or the node's others, so that a frame to each of several peers leaves one after the other.
    /// </param>
    public FrameSender(Stream stream, string peer, long boundBytes, Action<Exception> onFailure, TokenBucket? link = null)
    {
        _link = link;
        this._stream = stream;
        this._onFailure = onFailure;
        _boundBytes = boundBytes;
        Thread = new Thread(Run) { IsBackground = true, Name = $"data plane send to {peer}" };
        Thread.Start();
    }

    public Thread Thread { get; }

    /// <summary>Header and payload bytes of the frames written to the stream so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Frames written to the stream so far.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Payload bytes queued and not yet written (the frame being written included).</summary>
    public long QueuedBytes
    {
        get { lock (_queue) return _queuedBytes; }
    }

    /// <summary>The most payload bytes that were ever queued at once.</summary>
    public long PeakQueuedBytes
    {
        get { lock (_queue) return _peakQueuedBytes; }
    }

    /// <summary>
    /// Queues the frame; <see cref="EnqueueOutcome.Closed"/> once <see cref="Complete"/> has been called, and
    /// <see cref="EnqueueOutcome.OverBound"/> (nothing queued) when the frame would pass the bound.
    /// </summary>
    public EnqueueOutcome TryEnqueue(FrameHeader header, ReadOnlyMemory<float> payload, Action? written)
    {
        lock (_queue)
        {
            if (_completed) return EnqueueOutcome.Closed;
            return Enqueue(new(header, payload, written));
        }
    }

    /// <summary>
    /// Writes the frame on the calling thread, blocking until it is on the wire, when nothing is queued or being
    /// written; otherwise queues it as <see cref="TryEnqueue"/> does. A failed write closes the sender as on its
    /// thread (the frame's callback still runs), so the outcome says only whether the frame was taken.
    /// </summary>
    public EnqueueOutcome TryWriteHere(FrameHeader header, ReadOnlyMemory<float> payload, Action? written)
    {
        var frame = new OutgoingFrame(header, payload, written);
        lock (_queue)
        {
            if (_completed) return EnqueueOutcome.Closed;
            if (_writing || _queue.Count > 0) return Enqueue(frame);
            _writing = true;
            Count(header.PayloadBytes);
        }
        try
        {
            Write(frame);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or AuthenticationException)
        {
            _onFailure(e);
            Complete();
        }
        finally
        {
            Written(frame);
        }
        return EnqueueOutcome.Queued;
    }

    private EnqueueOutcome Enqueue(OutgoingFrame frame)
    {
        if (_queuedBytes > 0 && _queuedBytes + frame.Header.PayloadBytes > _boundBytes) return EnqueueOutcome.OverBound;
        Count(frame.Header.PayloadBytes);
        _queue.Enqueue(frame);
        if (_queue.Count == 1) Monitor.Pulse(_queue);
        return EnqueueOutcome.Queued;
    }

    private void Count(int payloadBytes)
    {
        _queuedBytes += payloadBytes;
        _peakQueuedBytes = Math.Max(_peakQueuedBytes, _queuedBytes);
    }

    /// <summary>Stops taking frames; the thread ends after the frame it is writing, if any.</summary>
    public void Complete()
    {
        lock (_queue)
        {
            _completed = true;
            Monitor.Pulse(_queue);
        }
    }

    private void Run()
    {
        try
        {
            while (Next() is { } frame)
            {
                try
                {
                    Write(frame);
                }
                finally
                {
                    Written(frame);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or AuthenticationException)
        {
            _onFailure(e);
            Complete();
        }
        // The connection has closed: the queue takes no more frames, and those still in it will never be sent.
        OutgoingFrame[] dropped;
        lock (_queue)
        {
            dropped = _queue.ToArray();
            _queue.Clear();
        }
        foreach (var frame in dropped) Written(frame);
    }

    /// <summary>
    /// The next frame to write, once no caller is writing one itself; null once the sender is complete. It stays
    /// counted as queued until written.
    /// </summary>
    private OutgoingFrame? Next()
    {
        lock (_queue)
        {
            while ((_queue.Count == 0 || _writing) && !_completed) Monitor.Wait(_queue);
            if (_completed) return null;
            _writing = true;
            return _queue.Dequeue();
        }
    }

    /// <summary>The frame's memory is free; frames queued meanwhile behind a caller's own write go to the thread.</summary>
    private void Written(OutgoingFrame frame)
    {
        lock (_queue)
        {
            _queuedBytes -= frame.Header.PayloadBytes;
            _writing = false;
            if (_queue.Count > 0) Monitor.Pulse(_queue);
        }
        frame.Written?.Invoke();
    }

    private void Write(OutgoingFrame frame)
    {
        var payload = MemoryMarshal.AsBytes(frame.Payload.Span)[..frame.Header.PayloadBytes];
        FrameFormat.Write(frame.Header, payload, _hash, _header);
        _link?.TakeTurn(_header.Length + payload.Length);
        _stream.Write(_header);
        _stream.Write(payload);
        Interlocked.Add(ref _bytesSent, _header.Length + payload.Length);
        Interlocked.Increment(ref _framesSent);
    }

    private readonly record struct OutgoingFrame(FrameHeader Header, ReadOnlyMemory<float> Payload, Action? Written);
}
