using System.IO.Hashing;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The listening side's handshake parser: reads a connection's first frame from a stream with async
/// I/O (no thread waits on a slow peer) and checks that it is a Hello of at most
/// <see cref="FrameFormat.MaxHelloBytes"/> payload bytes holding a peer id. Before the peer is known
/// nothing is allocated beyond one small buffer: a header announcing more is refused unread. Works on any
/// stream, so a wrapper (such as encryption) can sit between the accepted socket and the Hello.
/// </summary>
internal static class HelloReader
{
    /// <summary>The peer's id, the stream token its Hello carried (<see cref="HelloText"/>), and the bytes the Hello took on the wire.</summary>
    /// <exception cref="FrameProtocolException">the first frame is not a valid Hello</exception>
    /// <exception cref="EndOfStreamException">the peer closed the connection inside the Hello</exception>
    /// <exception cref="OperationCanceledException"><paramref name="deadline"/> passed first</exception>
    public static async Task<(string PeerId, string? Token, int Bytes)> ReadAsync(Stream stream, CancellationToken deadline)
    {
        var buffer = new byte[FrameFormat.HeaderBytes + FrameFormat.MaxHelloBytes];
        var headerBytes = buffer.AsMemory(0, FrameFormat.HeaderBytes);
        int got = await FillAsync(stream, headerBytes, deadline).ConfigureAwait(false);
        if (got == 0) throw new FrameProtocolException("closed the connection before sending Hello");
        if (got < FrameFormat.HeaderBytes)
            throw new EndOfStreamException($"connection closed mid-frame: {got} of {FrameFormat.HeaderBytes} header bytes");

        var frame = FrameFormat.Read(headerBytes.Span);
        if (frame.Kind != FrameKind.Hello)
            throw new FrameProtocolException($"first frame is {frame.Kind}, expected Hello");
        FrameChecks.Length(frame, FrameFormat.MaxHelloBytes);
        var payload = buffer.AsMemory(FrameFormat.HeaderBytes, frame.PayloadBytes);
        got = await FillAsync(stream, payload, deadline).ConfigureAwait(false);
        if (got < frame.PayloadBytes)
            throw new EndOfStreamException($"connection closed mid-frame: {got} of {frame.PayloadBytes} payload bytes of a Hello frame");
        FrameChecks.Checksum(frame, headerBytes.Span, payload.Span, new XxHash3());

        var (peerId, token) = HelloText.Parse(FrameText.Decode(payload.Span));
        if (string.IsNullOrWhiteSpace(peerId)) throw new FrameProtocolException("Hello carries an empty peer id");
        return (peerId, token, FrameFormat.HeaderBytes + frame.PayloadBytes);
    }

    private static async ValueTask<int> FillAsync(Stream stream, Memory<byte> destination, CancellationToken deadline)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int n = await stream.ReadAsync(destination[total..], deadline).ConfigureAwait(false);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
