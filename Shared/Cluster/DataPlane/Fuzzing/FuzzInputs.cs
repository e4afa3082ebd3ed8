using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace DistTrainer.Cluster.DataPlane.Fuzzing;

/// <summary>
/// The byte strings a fuzz run feeds the parsers: plain random bytes, and valid frame sequences (a Hello, then
/// float frames) that are then damaged: bytes flipped, the length field changed, cut short, bytes inserted, or
/// header fields randomised with the checksum computed again, so that the checks after the checksum run too.
/// </summary>
internal sealed class FuzzInputs(Random random, int maxPayloadBytes)
{
    private readonly XxHash3 _hash = new();

    public byte[] Next() => random.Next(5) == 0 ? RandomBytes(random.Next(0, 2 * FrameFormat.HeaderBytes + 64)) : Mutated(ValidFrames());

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private byte[] ValidFrames()
    {
        var frames = new List<byte[]> { Frame(new FrameHeader(FrameKind.Hello), Encoding.UTF8.GetBytes($"worker-{random.Next(1000)}")) };
        int more = random.Next(0, 3);
        for (int i = 0; i < more; i++)
        {
            var kind = (FrameKind)random.Next(2, 8);
            frames.Add(Frame(new FrameHeader(kind, Step: random.Next(100), ShardId: random.Next(8)),
                RandomBytes(sizeof(float) * random.Next(0, Math.Min(64, maxPayloadBytes / sizeof(float)) + 1))));
        }
        return frames.SelectMany(f => f).ToArray();
    }

    private byte[] Frame(FrameHeader header, byte[] payload)
    {
        var bytes = new byte[FrameFormat.HeaderBytes + payload.Length];
        FrameFormat.Write(header with { PayloadBytes = payload.Length }, payload, _hash, bytes);
        payload.CopyTo(bytes, FrameFormat.HeaderBytes);
        return bytes;
    }

    private byte[] Mutated(byte[] frames)
    {
        switch (random.Next(6))
        {
            case 0:
                for (int flips = random.Next(1, 4); flips > 0; flips--) frames[random.Next(frames.Length)] ^= (byte)(1 << random.Next(8));
                return frames;
            case 1:
                BinaryPrimitives.WriteInt32LittleEndian(frames.AsSpan(FrameFormat.PayloadBytesOffset), AnyLength());
                return frames;
            case 2:
                return frames[..random.Next(frames.Length)];
            case 3:
                int at = random.Next(frames.Length + 1);
                return [.. frames[..at], .. RandomBytes(random.Next(1, 16)), .. frames[at..]];
            case 4:
                return Resealed(frames);
            default:
                return frames;
        }
    }

    /// <summary>The first frame's kind, length or text changed, with a checksum that matches the change.</summary>
    private byte[] Resealed(byte[] frames)
    {
        var header = FrameFormat.Read(frames);
        int available = frames.Length - FrameFormat.HeaderBytes;
        var payload = frames.AsSpan(FrameFormat.HeaderBytes, Math.Min(header.PayloadBytes, available)).ToArray();
        if (payload.Length > 0 && random.Next(2) == 0) payload[random.Next(payload.Length)] = (byte)random.Next(0x80, 0x100);
        var changed = header with { Kind = (FrameKind)random.Next(0, 12), PayloadBytes = random.Next(2) == 0 ? AnyLength() : payload.Length };
        var resealed = new byte[FrameFormat.HeaderBytes + payload.Length];
        FrameFormat.Write(changed with { PayloadBytes = payload.Length }, payload, _hash, resealed);
        BinaryPrimitives.WriteInt32LittleEndian(resealed.AsSpan(FrameFormat.PayloadBytesOffset), changed.PayloadBytes);
        payload.CopyTo(resealed, FrameFormat.HeaderBytes);
        return resealed;
    }

    private int AnyLength() => random.Next(7) switch
    {
        0 => -random.Next(1, int.MaxValue),
        1 => 0,
        2 => maxPayloadBytes,
        3 => maxPayloadBytes + sizeof(float),
        4 => int.MaxValue,
        5 => FrameFormat.MaxHelloBytes + 1,
        _ => random.Next(0, maxPayloadBytes + 1),
    };
}
