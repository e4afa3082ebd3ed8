using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A checked frame. <see cref="Payload"/> is rented from <see cref="DataPlaneOptions.Payloads"/> for this
/// frame alone and belongs to whoever receives it: it may be kept, forwarded or mutated, and should be
/// given back to that pool once nothing reads it any more. A float frame's payload holds exactly
/// PayloadBytes / 4 values; a text frame's holds its UTF-8 bytes, zero-padded to a whole float.
/// </summary>
public readonly record struct ReceivedFrame(FrameHeader Header, float[] Payload)
{
    public ReadOnlySpan<byte> PayloadBytes => MemoryMarshal.AsBytes(Payload.AsSpan())[..Header.PayloadBytes];

    /// <summary>The payload of a Hello or Refused frame as text.</summary>
    public string Text() => FrameText.Decode(PayloadBytes);
}
