using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A checked frame. <see cref="Payload"/> is rented from <see cref="DataPlaneOptions.Payloads"/> for this
/// frame, or, handed over in memory, is the sender's own array lent to this receiver and possibly to others at once
/// (the weights every worker gets): whoever receives it may keep, forward and read it, never write it, and should give
/// it back to a pool once nothing reads it any more (a lent array then goes back to its sender). A float frame's payload holds exactly
/// PayloadBytes / 4 values; a text frame's holds its UTF-8 bytes, zero-padded to a whole float.
/// </summary>
public readonly record struct ReceivedFrame(FrameHeader Header, float[] Payload)
{
    public ReadOnlySpan<byte> PayloadBytes => MemoryMarshal.AsBytes(Payload.AsSpan())[..Header.PayloadBytes];

    /// <summary>The payload of a Hello or Refused frame as text.</summary>
    public string Text() => FrameText.Decode(PayloadBytes);
}
