using System.IO.Hashing;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One connection's outgoing queue and the thread that drains it: callers enqueue and return at
/// once; the thread checksums each frame and writes header and payload to the socket from the
/// caller's memory, without copying it. Each frame's written callback runs once its memory is no
/// longer needed: after it is on the wire, or when the queue is dropped because the connection closed.
/// The queue wakes its thread directly: a channel's waiter is woken through the thread pool, which
/// the actors share, and that hop was measured at 0.5-1 ms of every frame's latency.
/// </summary>
internal sealed class FrameSender
{
    private readonly Queue<OutgoingFrame> queue = new();
    private bool completed;
    private readonly Socket socket;
    private readonly Action<Exception> onFailure;
    private readonly byte[] header = new byte[FrameFormat.HeaderBytes];
    private readonly XxHash3 hash = new();
    private long bytesSent;

    public FrameSender(Socket socket, string peer, Action<Exception> onFailure)
    {
        this.socket = socket;
        this.onFailure = onFailure;
        Thread = new Thread(Run) { IsBackground = true, Name = $"data plane send to {peer}" };
        Thread.Start();
    }

    public Thread Thread { get; }

    /// <summary>Header and payload bytes of the frames written to the socket so far.</summary>
    public long BytesSent => Interlocked.Read(ref bytesSent);

    /// <summary>False once <see cref="Complete"/> has been called.</summary>
    public bool TryEnqueue(FrameHeader header, ReadOnlyMemory<float> payload, Action? written)
    {
        lock (queue)
        {
            if (completed) return false;
            queue.Enqueue(new(header, payload, written));
            if (queue.Count == 1) Monitor.Pulse(queue);
            return true;
        }
    }

    /// <summary>Stops taking frames; the thread ends after the frame it is writing, if any.</summary>
    public void Complete()
    {
        lock (queue)
        {
            completed = true;
            Monitor.Pulse(queue);
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
                    frame.Written?.Invoke();
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            onFailure(e);
            Complete();
        }
        // The connection has closed: the queue takes no more frames, and those still in it will never be sent.
        OutgoingFrame[] dropped;
        lock (queue)
        {
            dropped = queue.ToArray();
            queue.Clear();
        }
        foreach (var frame in dropped) frame.Written?.Invoke();
    }

    /// <summary>The next frame to write; null once the sender is complete.</summary>
    private OutgoingFrame? Next()
    {
        lock (queue)
        {
            while (queue.Count == 0 && !completed) Monitor.Wait(queue);
            return completed ? null : queue.Dequeue();
        }
    }

    private void Write(OutgoingFrame frame)
    {
        var payload = MemoryMarshal.AsBytes(frame.Payload.Span)[..frame.Header.PayloadBytes];
        FrameFormat.Write(frame.Header, payload, hash, header);
        SendAll(header);
        SendAll(payload);
        Interlocked.Add(ref bytesSent, header.Length + payload.Length);
    }

    private void SendAll(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty) bytes = bytes[socket.Send(bytes)..];
    }

    private readonly record struct OutgoingFrame(FrameHeader Header, ReadOnlyMemory<float> Payload, Action? Written);
}
