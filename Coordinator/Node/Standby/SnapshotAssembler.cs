using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Puts a standby's snapshot chunks back together: at most one snapshot in progress and the latest complete one, so a
/// standby holds at most two checkpoints' bytes. Chunks must come in order (one stream carries them); a chunk out of
/// order or missing, a size beyond the bound, or bytes that do not parse as a checkpoint with a matching checksum and
/// step drop the snapshot in progress and keep the latest one. Used from one thread (the stream's reader).
/// </summary>
public sealed class SnapshotAssembler(long maxSnapshotBytes)
{
    private SnapshotFrames.Chunk _building;
    private byte[]? _bytes;
    private long _filled;
    private long? _droppedStep;

    /// <summary>The newest complete snapshot; null until one is.</summary>
    public StandbySnapshot? Latest { get; private set; }

    /// <summary>The bytes held: the snapshot in progress and the latest complete one.</summary>
    public long HeldBytes => (_bytes?.LongLength ?? 0) + (Latest?.Bytes.LongLength ?? 0);

    /// <summary>Takes one chunk; <paramref name="reason"/> says why when the verdict is <see cref="SnapshotVerdict.Dropped"/>.</summary>
    public SnapshotVerdict Offer(FrameHeader header, ReadOnlySpan<byte> payload, out string? reason)
    {
        var chunk = SnapshotFrames.Chunk.Of(header);
        reason = null;
        if (chunk.Index == 0) return Start(chunk, payload, out reason);
        if (_bytes is null)
        {
            if (_droppedStep == chunk.Step) return SnapshotVerdict.Ignored;
            return Drop(chunk.Step, $"chunk {chunk.Index} of {chunk.Count} arrived without the snapshot's first chunk", out reason);
        }
        if (chunk.Step != _building.Step || chunk.TotalBytes != _building.TotalBytes || chunk.Count != _building.Count)
            return Drop(_building.Step, $"a chunk of another snapshot (step {chunk.Step}) arrived before chunk {_building.Index + 1} " +
                                        $"of {_building.Count}", out reason);
        if (chunk.Index != _building.Index + 1)
            return Drop(chunk.Step, $"chunk {chunk.Index} of {chunk.Count} arrived where chunk {_building.Index + 1} was due", out reason);
        _building = chunk;
        return Append(payload, out reason);
    }

    private SnapshotVerdict Start(SnapshotFrames.Chunk chunk, ReadOnlySpan<byte> payload, out string? reason)
    {
        reason = null;
        if (_bytes is not null)
        {
            // Chunks come in order on one stream, so a new first chunk means the previous snapshot lost its tail.
            Drop(_building.Step, $"a new snapshot (step {chunk.Step}) began after chunk {_building.Index + 1} of {_building.Count}", out reason);
            _droppedStep = null;
        }
        if (chunk.TotalBytes < 1 || chunk.TotalBytes > maxSnapshotBytes || chunk.Count < 1)
            return Drop(chunk.Step, $"{chunk.TotalBytes} bytes in {chunk.Count} chunks is outside 1..{maxSnapshotBytes} bytes", out reason);
        _building = chunk;
        _bytes = new byte[chunk.TotalBytes];
        _filled = 0;
        var verdict = Append(payload, out var appended);
        // The snapshot dropped to make room is worth one line too; its successor's own fault speaks for itself.
        reason = appended ?? reason;
        return reason is not null && verdict == SnapshotVerdict.Partial ? SnapshotVerdict.Dropped : verdict;
    }

    private SnapshotVerdict Append(ReadOnlySpan<byte> payload, out string? reason)
    {
        reason = null;
        long room = _bytes!.LongLength - _filled;
        // Only the last chunk may reach past the end, and only by its float padding.
        if (payload.Length > room + sizeof(float) - 1 || (payload.Length > room && _building.Index != _building.Count - 1))
            return Drop(_building.Step, $"chunk {_building.Index} of {_building.Count} brings more than the snapshot's {_bytes.LongLength} bytes", out reason);
        int take = (int)Math.Min(payload.Length, room);
        payload[..take].CopyTo(_bytes.AsSpan((int)_filled));
        _filled += take;
        if (_building.Index < _building.Count - 1) return SnapshotVerdict.Partial;
        if (_filled != _bytes.LongLength)
            return Drop(_building.Step, $"its {_building.Count} chunks hold {_filled} of its {_bytes.LongLength} bytes", out reason);
        return Complete(out reason);
    }

    private SnapshotVerdict Complete(out string? reason)
    {
        reason = null;
        long step;
        try
        {
            step = ModelCheckpoint.Verify($"snapshot of step {_building.Step}", _bytes!);
        }
        catch (InvalidInputException e)
        {
            return Drop(_building.Step, e.Message, out reason);
        }
        if (step != _building.Step)
            return Drop(_building.Step, $"the checkpoint it holds is of step {step}", out reason);
        Latest = new StandbySnapshot(step, _bytes!);
        _bytes = null;
        return SnapshotVerdict.Accepted;
    }

    private SnapshotVerdict Drop(long step, string why, out string reason)
    {
        reason = $"snapshot of step {step}: {why}";
        _bytes = null;
        _droppedStep = step;
        return SnapshotVerdict.Dropped;
    }
}
