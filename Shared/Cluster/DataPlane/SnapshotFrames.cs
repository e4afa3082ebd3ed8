using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// How a checkpoint's bytes travel as <see cref="FrameKind.Snapshot"/> frames: zero-padded to whole floats and cut into
/// chunks of at most the receiver's largest payload, each frame naming the checkpoint's step (<see cref="FrameHeader.Step"/>),
/// its exact byte count (<see cref="FrameHeader.WeightsVersion"/>), the chunk's index (<see cref="FrameHeader.ShardId"/>)
/// and the chunk count (<see cref="FrameHeader.SampleCount"/>). Each frame is checksummed as every frame is.
/// </summary>
public static class SnapshotFrames
{
    /// <summary>The largest chunk a sender cuts and a standby reads: large enough that a checkpoint takes few frames.</summary>
    public const int MaxChunkBytes = 4 << 20;

    /// <summary>The checkpoint's step, byte count, and which chunk of how many a snapshot frame is.</summary>
    public readonly record struct Chunk(long Step, long TotalBytes, int Index, int Count)
    {
        public static Chunk Of(FrameHeader header) => new(header.Step, header.WeightsVersion, header.ShardId, header.SampleCount);
    }

    /// <summary>The checkpoint's bytes in float memory (zero-padded to a whole float), so that every chunk is a slice of it.</summary>
    public static float[] Pack(byte[] bytes)
    {
        var packed = new float[(bytes.Length + sizeof(float) - 1) / sizeof(float)];
        bytes.CopyTo(MemoryMarshal.AsBytes(packed.AsSpan()));
        return packed;
    }

    /// <summary>
    /// Queues every chunk of <paramref name="packed"/> (see <see cref="Chunks"/>) on <paramref name="connection"/>; returns at
    /// once. False when the connection is closed, or closes because the chunks pass its send-queue bound (the standby
    /// is not draining): the remaining chunks are not queued.
    /// </summary>
    public static bool Send(TensorConnection connection, long step, float[] packed, long totalBytes, int chunkBytes) =>
        Chunks(step, packed, totalBytes, chunkBytes).All(chunk => connection.Send(chunk.Header, chunk.Payload));

    /// <summary>
    /// The frames of checkpoint step <paramref name="step"/>, whose <paramref name="totalBytes"/> bytes
    /// <paramref name="packed"/> holds, in order, each carrying at most <paramref name="chunkBytes"/> (rounded down to whole floats).
    /// </summary>
    public static IEnumerable<(FrameHeader Header, ReadOnlyMemory<float> Payload)> Chunks(long step, float[] packed, long totalBytes, int chunkBytes)
    {
        int chunkFloats = chunkBytes / sizeof(float);
        if (chunkFloats < 1) throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "a chunk holds at least one float");
        int count = Math.Max(1, (packed.Length + chunkFloats - 1) / chunkFloats);
        for (int index = 0; index < count; index++)
        {
            int offset = index * chunkFloats;
            var header = new FrameHeader(FrameKind.Snapshot, Step: step, WeightsVersion: totalBytes, ShardId: index, SampleCount: count);
            yield return (header, packed.AsMemory(offset, Math.Min(chunkFloats, packed.Length - offset)));
        }
    }
}
