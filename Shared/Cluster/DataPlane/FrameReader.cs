using System.IO.Hashing;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Reads whole frames from a socket, straight into the payload array that is handed on, and
/// checks magic, version, length and checksum before anyone sees the frame. Payload arrays are rented
/// from the options' pool; a frame refused after its array was rented gives it back.
/// </summary>
internal sealed class FrameReader(Socket socket, DataPlaneOptions options)
{
    private readonly byte[] _header = new byte[FrameFormat.HeaderBytes];
    private readonly XxHash3 _hash = new();
    private long _bytesReceived;
    private long _framesReceived;

    /// <summary>Header and payload bytes of the whole frames read so far, checked or not.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Whole frames read so far, checked or not.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>The next frame, or null when the peer closed the connection between two frames.</summary>
    /// <exception cref="FrameProtocolException">the bytes are not a valid frame</exception>
    /// <exception cref="EndOfStreamException">the peer closed the connection inside a frame</exception>
    public ReceivedFrame? Read()
    {
        int got = Fill(_header);
        if (got == 0) return null;
        if (got < _header.Length)
            throw new EndOfStreamException($"connection closed mid-frame: {got} of {_header.Length} header bytes");

        var frame = FrameFormat.Read(_header);
        if (frame.PayloadBytes < 0 || frame.PayloadBytes > options.MaxPayloadBytes)
            throw new FrameProtocolException($"payload length {frame.PayloadBytes} bytes is outside 0..{options.MaxPayloadBytes}");
        bool text = FrameFormat.IsText(frame.Kind);
        if (!text && frame.PayloadBytes % sizeof(float) != 0)
            throw new FrameProtocolException($"{frame.Kind} payload of {frame.PayloadBytes} bytes is not a whole number of float32 values");

        var payload = options.Payloads.Rent((frame.PayloadBytes + sizeof(float) - 1) / sizeof(float));
        try
        {
            var bytes = MemoryMarshal.AsBytes(payload.AsSpan());
            bytes[frame.PayloadBytes..].Clear();
            got = Fill(bytes[..frame.PayloadBytes]);
            if (got < frame.PayloadBytes)
                throw new EndOfStreamException($"connection closed mid-frame: {got} of {frame.PayloadBytes} payload bytes of a {frame.Kind} frame");
            Interlocked.Add(ref _bytesReceived, _header.Length + frame.PayloadBytes);
            Interlocked.Increment(ref _framesReceived);

            ulong expected = FrameFormat.Checksum(_header, bytes[..frame.PayloadBytes], _hash);
            if (expected != frame.Checksum)
                throw new FrameProtocolException($"checksum mismatch on a {frame.Kind} frame of step {frame.Step} ({frame.PayloadBytes} payload bytes): corrupted in transit");
            var received = new ReceivedFrame(frame, payload);
            if (text) FrameText.Decode(received.PayloadBytes);
            return received;
        }
        catch
        {
            options.Payloads.Return(payload);
            throw;
        }
    }

    /// <summary>Reads until <paramref name="destination"/> is full or the peer closes; returns the bytes read.</summary>
    private int Fill(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = socket.Receive(destination[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
