using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Reads whole frames from a stream, straight into the payload array that is handed on, and checks
/// magic, version, length and checksum before anyone sees the frame. A length over the options' limit
/// is refused before anything is allocated for it. Payload arrays are rented from the options' pool; the
/// array of a frame refused after it was rented is dropped, never pooled: junk must not stay in memory.
/// </summary>
internal sealed class FrameReader(Stream stream, DataPlaneOptions options, long alreadyReceived = 0)
{
    private readonly byte[] _header = new byte[FrameFormat.HeaderBytes];
    private readonly XxHash3 _hash = new();
    private long _bytesReceived = alreadyReceived;
    private long _framesReceived;

    /// <summary>Header and payload bytes of the whole frames read so far (with the Hello read before this reader), checked or not.</summary>
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
        FrameChecks.Length(frame, options.MaxPayloadBytes);
        var payload = options.Payloads.RentForFrame(frame.PayloadBytes);
        var bytes = MemoryMarshal.AsBytes(payload.AsSpan());
        got = Fill(bytes[..frame.PayloadBytes]);
        if (got < frame.PayloadBytes)
            throw new EndOfStreamException($"connection closed mid-frame: {got} of {frame.PayloadBytes} payload bytes of a {frame.Kind} frame");
        Interlocked.Add(ref _bytesReceived, _header.Length + frame.PayloadBytes);
        Interlocked.Increment(ref _framesReceived);
        // A modelled link hands the frame on only once it would have arrived (the sender's link overlaps with this one).
        options.Link?.Receive.Take(_header.Length + frame.PayloadBytes);

        FrameChecks.Checksum(frame, _header, bytes[..frame.PayloadBytes], _hash);
        var received = new ReceivedFrame(frame, payload);
        FrameChecks.Text(received);
        return received;
    }

    /// <summary>Reads until <paramref name="destination"/> is full or the peer closes; returns the bytes read.</summary>
    private int Fill(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = stream.Read(destination[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
