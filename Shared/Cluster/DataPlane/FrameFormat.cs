using System.Buffers.Binary;
using System.IO.Hashing;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The wire layout of a frame header, little-endian:
/// magic "DTDP" (4), format version (1), kind (1), step (8), weights version (8), shard (4), layer (4),
/// sample count (4), correct (4), loss sum (8), compute seconds (8), payload bytes (4), checksum (8).
/// The checksum is XxHash3 over every header byte before it and then the payload, so a flipped bit
/// anywhere in the frame is caught.
/// </summary>
internal static class FrameFormat
{
    public const uint Magic = 0x50444454; // the bytes 'D' 'T' 'D' 'P'
    public const byte Version = 1;
    public const int HeaderBytes = 70;

    /// <summary>The longest Hello payload (the peer id) a listener reads before it knows the peer.</summary>
    public const int MaxHelloBytes = 256;
    public const int PayloadBytesOffset = 54;
    private const int ChecksumOffset = HeaderBytes - sizeof(ulong);

    public static bool IsText(FrameKind kind) => kind is FrameKind.Hello or FrameKind.Refused or FrameKind.RangeControl;

    /// <summary>Writes <paramref name="header"/> with its checksum computed over the header fields and <paramref name="payload"/>.</summary>
    public static void Write(FrameHeader header, ReadOnlySpan<byte> payload, XxHash3 hash, Span<byte> destination)
    {
        var d = destination[..HeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(d, Magic);
        d[4] = Version;
        d[5] = (byte)header.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(d[6..], header.Step);
        BinaryPrimitives.WriteInt64LittleEndian(d[14..], header.WeightsVersion);
        BinaryPrimitives.WriteInt32LittleEndian(d[22..], header.ShardId);
        BinaryPrimitives.WriteInt32LittleEndian(d[26..], header.Layer);
        BinaryPrimitives.WriteInt32LittleEndian(d[30..], header.SampleCount);
        BinaryPrimitives.WriteInt32LittleEndian(d[34..], header.Correct);
        BinaryPrimitives.WriteDoubleLittleEndian(d[38..], header.LossSum);
        BinaryPrimitives.WriteDoubleLittleEndian(d[46..], header.ComputeSeconds);
        BinaryPrimitives.WriteInt32LittleEndian(d[PayloadBytesOffset..], header.PayloadBytes);
        BinaryPrimitives.WriteInt32LittleEndian(d[58..], header.Attempt);
        BinaryPrimitives.WriteUInt64LittleEndian(d[ChecksumOffset..], Checksum(d, payload, hash));
    }

    /// <summary>Reads a header, refusing a foreign magic or another format version.</summary>
    public static FrameHeader Read(ReadOnlySpan<byte> source)
    {
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source);
        if (magic != Magic)
            throw new FrameProtocolException($"bad magic 0x{magic:X8} (expected 0x{Magic:X8}): not a data-plane frame");
        if (source[4] != Version)
            throw new FrameProtocolException($"frame format version {source[4]} (this side speaks version {Version})");
        return new FrameHeader(
            (FrameKind)source[5],
            Step: BinaryPrimitives.ReadInt64LittleEndian(source[6..]),
            WeightsVersion: BinaryPrimitives.ReadInt64LittleEndian(source[14..]),
            ShardId: BinaryPrimitives.ReadInt32LittleEndian(source[22..]),
            Layer: BinaryPrimitives.ReadInt32LittleEndian(source[26..]),
            SampleCount: BinaryPrimitives.ReadInt32LittleEndian(source[30..]),
            Correct: BinaryPrimitives.ReadInt32LittleEndian(source[34..]),
            LossSum: BinaryPrimitives.ReadDoubleLittleEndian(source[38..]),
            ComputeSeconds: BinaryPrimitives.ReadDoubleLittleEndian(source[46..]),
            PayloadBytes: BinaryPrimitives.ReadInt32LittleEndian(source[PayloadBytesOffset..]),
            Attempt: BinaryPrimitives.ReadInt32LittleEndian(source[58..]),
            Checksum: BinaryPrimitives.ReadUInt64LittleEndian(source[ChecksumOffset..]));
    }

    /// <summary>The checksum a frame with these header bytes and this payload must carry.</summary>
    public static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, XxHash3 hash)
    {
        hash.Reset();
        hash.Append(header[..ChecksumOffset]);
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }
}
