using System.Globalization;
using System.Runtime.InteropServices;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>
/// A standby putting the active coordinator's checkpoint back together from its snapshot frames: in order it is checked
/// and kept; a chunk out of order, missing or damaged drops that snapshot and keeps the previous one; never more than
/// two snapshots are held.
/// </summary>
public sealed class SnapshotAssemblerTests
{
    private const int ChunkBytes = 64;

    private readonly SnapshotAssembler _assembler = new(maxSnapshotBytes: 1 << 20);

    [Fact]
    public void A_snapshot_whose_chunks_come_in_order_is_accepted_with_the_step_and_bytes_of_the_checkpoint()
    {
        byte[] bytes = Checkpoint(step: 50);
        var chunks = Chunks(50, bytes);
        Assert.True(chunks.Count > 3, "the checkpoint should take several chunks");

        var verdicts = chunks.Select(c => _assembler.Offer(c.Header, c.Payload, out _)).ToList();

        Assert.All(verdicts[..^1], v => Assert.Equal(SnapshotVerdict.Partial, v));
        Assert.Equal(SnapshotVerdict.Accepted, verdicts[^1]);
        Assert.Equal(50, _assembler.Latest!.Step);
        Assert.Equal(bytes, _assembler.Latest.Bytes);
    }

    [Fact]
    public void A_chunk_out_of_order_drops_the_snapshot_and_says_which_chunk_was_due()
    {
        var chunks = Chunks(50, Checkpoint(step: 50));
        _assembler.Offer(chunks[0].Header, chunks[0].Payload, out _);

        var verdict = _assembler.Offer(chunks[2].Header, chunks[2].Payload, out var reason);

        Assert.Equal(SnapshotVerdict.Dropped, verdict);
        Assert.Equal($"snapshot of step 50: chunk 2 of {chunks.Count} arrived where chunk 1 was due", reason);
        Assert.Null(_assembler.Latest);
        // The rest of that snapshot is not reported again, one chunk at a time.
        Assert.Equal(SnapshotVerdict.Ignored, _assembler.Offer(chunks[3].Header, chunks[3].Payload, out _));
        Assert.Equal(0, _assembler.HeldBytes);
    }

    [Fact]
    public void A_snapshot_missing_its_last_chunk_is_dropped_when_the_next_one_begins_and_the_next_one_is_kept()
    {
        Offer(Chunks(50, Checkpoint(step: 50))[..^1]);
        var next = Chunks(100, Checkpoint(step: 100));

        var verdict = _assembler.Offer(next[0].Header, next[0].Payload, out var reason);

        Assert.Equal(SnapshotVerdict.Dropped, verdict);
        Assert.StartsWith("snapshot of step 50: a new snapshot (step 100) began after chunk", reason);
        Assert.Equal(SnapshotVerdict.Accepted, Offer(next[1..]));
        Assert.Equal(100, _assembler.Latest!.Step);
    }

    [Fact]
    public void A_flipped_byte_fails_the_checksum_and_the_previous_snapshot_is_kept()
    {
        Offer(Chunks(50, Checkpoint(step: 50)));
        byte[] damaged = Checkpoint(step: 100);
        damaged[^5] ^= 0x10;

        var verdict = Offer(Chunks(100, damaged), out var reason);

        Assert.Equal(SnapshotVerdict.Dropped, verdict);
        Assert.Equal("snapshot of step 100: checkpoint snapshot of step 100: the tensors do not match the checksum stored with them " +
                     "(the bytes are damaged)", reason);
        Assert.Equal(50, _assembler.Latest!.Step);
    }

    [Fact]
    public void Bytes_that_are_not_a_checkpoint_are_refused()
    {
        byte[] garbage = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();

        var verdict = Offer(Chunks(50, garbage), out var reason);

        Assert.Equal(SnapshotVerdict.Dropped, verdict);
        Assert.StartsWith("snapshot of step 50: ", reason);
        Assert.Null(_assembler.Latest);
    }

    [Fact]
    public void A_snapshot_whose_header_names_another_step_than_its_checkpoint_holds_is_refused()
    {
        var verdict = Offer(Chunks(100, Checkpoint(step: 50)), out var reason);

        Assert.Equal(SnapshotVerdict.Dropped, verdict);
        Assert.Equal("snapshot of step 100: the checkpoint it holds is of step 50", reason);
    }

    [Fact]
    public void A_second_snapshot_replaces_the_first()
    {
        Offer(Chunks(50, Checkpoint(step: 50)));
        byte[] second = Checkpoint(step: 100);

        Assert.Equal(SnapshotVerdict.Accepted, Offer(Chunks(100, second)));

        Assert.Equal(100, _assembler.Latest!.Step);
        Assert.Equal(second, _assembler.Latest.Bytes);
    }

    [Fact]
    public void The_assembler_holds_the_snapshot_in_progress_and_the_latest_complete_one_and_no_more()
    {
        byte[] first = Checkpoint(step: 50), second = Checkpoint(step: 100), third = Checkpoint(step: 150);
        Offer(Chunks(50, first));
        Offer(Chunks(100, second));
        var chunks = Chunks(150, third);

        Offer(chunks[..2]);

        Assert.Equal(second.Length + third.Length, _assembler.HeldBytes);
        Assert.Equal(100, _assembler.Latest!.Step);
    }

    [Fact]
    public void A_snapshot_larger_than_the_bound_is_dropped_at_its_first_chunk()
    {
        var small = new SnapshotAssembler(maxSnapshotBytes: 100);
        var chunks = Chunks(50, Checkpoint(step: 50));

        var verdict = small.Offer(chunks[0].Header, chunks[0].Payload, out var reason);

        Assert.Equal(SnapshotVerdict.Dropped, verdict);
        Assert.Equal($"snapshot of step 50: {chunks[0].Header.WeightsVersion} bytes in {chunks.Count} chunks is outside 1..100 bytes", reason);
        Assert.Equal(0, small.HeldBytes);
    }

    /// <summary>A checkpoint as the parameter server captures one: a tensor and its optimizer's step.</summary>
    private static byte[] Checkpoint(long step)
    {
        float[] values = Enumerable.Range(0, 40).Select(i => i * 0.25f + step).ToArray();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = ModelCheckpoint.Format,
            ["optimizer"] = "sgd",
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
        };
        return ModelCheckpoint.ToBytes(new CheckpointContent([SafeTensor.FromFloats("0.weight", [4, 10], values)], metadata, step));
    }

    private static List<(FrameHeader Header, byte[] Payload)> Chunks(long step, byte[] bytes) =>
        SnapshotFrames.Chunks(step, SnapshotFrames.Pack(bytes), bytes.Length, ChunkBytes)
            .Select(c => (c.Header, MemoryMarshal.AsBytes(c.Payload.Span).ToArray()))
            .ToList();

    private SnapshotVerdict Offer(IEnumerable<(FrameHeader Header, byte[] Payload)> chunks) => Offer(chunks, out _);

    private SnapshotVerdict Offer(IEnumerable<(FrameHeader Header, byte[] Payload)> chunks, out string? reason)
    {
        var verdict = SnapshotVerdict.Partial;
        reason = null;
        foreach (var (header, payload) in chunks) verdict = _assembler.Offer(header, payload, out reason);
        return verdict;
    }
}
