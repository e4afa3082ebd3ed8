using System.IO.Hashing;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace DistTrainer.Shared.Cluster.DataPlane;

/// <summary>
/// One connection's outgoing queue and the thread that drains it: callers enqueue and return at
/// once; the thread checksums each frame and writes header and payload to the socket from the
/// caller's memory, without copying it. Each frame's written callback runs once its memory is no
/// longer needed: after it is on the wire, or when the queue is dropped because the connection closed.
/// </summary>
internal sealed class FrameSender
{
    private readonly Channel<OutgoingFrame> queue =
        Channel.CreateUnbounded<OutgoingFrame>(new UnboundedChannelOptions { SingleReader = true });
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
    public bool TryEnqueue(FrameHeader header, ReadOnlyMemory<float> payload, Action? written) =>
        queue.Writer.TryWrite(new(header, payload, written));

    /// <summary>Stops taking frames; the thread ends after the frame it is writing, if any.</summary>
    public void Complete() => queue.Writer.TryComplete();

    private void Run()
    {
        var reader = queue.Reader;
        try
        {
            while (WaitForFrames(reader))
            {
                while (reader.TryRead(out var frame))
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
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            onFailure(e);
        }
        // The connection has closed: the queue takes no more frames, and those still in it will never be sent.
        while (reader.TryRead(out var dropped)) dropped.Written?.Invoke();
    }

    private static bool WaitForFrames(ChannelReader<OutgoingFrame> reader)
    {
        var ready = reader.WaitToReadAsync();
        return ready.IsCompletedSuccessfully ? ready.Result : ready.AsTask().GetAwaiter().GetResult();
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
