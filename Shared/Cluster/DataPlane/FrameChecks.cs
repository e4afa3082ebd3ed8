using System.IO.Hashing;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The checks every received frame passes, shared by the Hello handshake, the frame reader and the in-process wire: a
/// length is checked against the reader's limit before anything is read or allocated for the payload,
/// the checksum once the payload is in.
/// </summary>
internal static class FrameChecks
{
    /// <exception cref="FrameProtocolException">the announced payload is negative, longer than <paramref name="maxPayloadBytes"/>, or not whole float32 values</exception>
    public static void Length(FrameHeader frame, int maxPayloadBytes)
    {
        if (frame.PayloadBytes < 0 || frame.PayloadBytes > maxPayloadBytes)
            throw new FrameProtocolException($"payload length {frame.PayloadBytes} bytes is outside 0..{maxPayloadBytes}");
        if (!FrameFormat.IsText(frame.Kind) && frame.PayloadBytes % sizeof(float) != 0)
            throw new FrameProtocolException($"{frame.Kind} payload of {frame.PayloadBytes} bytes is not a whole number of float32 values");
    }

    /// <exception cref="FrameProtocolException">a text frame (Hello, Refused) whose payload is not UTF-8</exception>
    public static void Text(ReceivedFrame frame)
    {
        if (FrameFormat.IsText(frame.Header.Kind)) FrameText.Decode(frame.PayloadBytes);
    }

    /// <exception cref="FrameProtocolException">the checksum the header carries is not that of <paramref name="headerBytes"/> and <paramref name="payload"/></exception>
    public static void Checksum(FrameHeader frame, ReadOnlySpan<byte> headerBytes, ReadOnlySpan<byte> payload, XxHash3 hash)
    {
        if (FrameFormat.Checksum(headerBytes, payload, hash) != frame.Checksum)
            throw new FrameProtocolException($"checksum mismatch on a {frame.Kind} frame of step {frame.Step} ({frame.PayloadBytes} payload bytes): corrupted in transit");
    }
}
