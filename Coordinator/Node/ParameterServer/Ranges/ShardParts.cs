using System.Numerics.Tensors;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer.Ranges;

/// <summary>
/// With the parameters cut into key ranges, a shard result arrives in pieces on separate streams: its head (rows, loss,
/// batch-norm moments) on the worker's main stream and one gradient part per range on that range's stream. This puts
/// each (shard, worker)'s pieces of the step's attempt being aggregated together: a result is whole once its head and every
/// part are in, and is then offered to the aggregator as its head, with the gradient's norm and finiteness read from the
/// parts (the sum of each part's squares, so the norm rule reads no bytes twice). It keeps the parts until the next step
/// begins and reads them for the step's sum, each shard's from the worker whose result was taken (<see cref="IShardGradients"/>).
/// It owns every payload offered to it except a whole result's head, which goes on with the outcome. What it holds is
/// bounded by the step's shards times the workers each is assigned to: its caller offers only pieces from those workers.
/// </summary>
public sealed class ShardParts(int[] cuts, Action<float[]> release) : IShardGradients
{
    private readonly Dictionary<(int Shard, string Worker), Entry> _entries = [];
    private long _step = -1;
    private int _attempt, _shards;
    private IReadOnlyList<string> _senders = [];

    /// <summary>How many key ranges the parameters are cut into.</summary>
    public int Ranges => cuts.Length - 1;

    /// <summary>Parts dropped because they were for another step or attempt than the one aggregated, over the run.</summary>
    public long LateParts { get; private set; }

    /// <summary>Starts collecting a step's attempt; every piece held for the one before is released.</summary>
    public void Begin(long step, int attempt, int shards)
    {
        foreach (var entry in _entries.Values) Release(entry);
        _entries.Clear();
        (_step, _attempt, _shards) = (step, attempt, shards);
        _senders = [];
    }

    /// <summary>
    /// Takes a result's head. <see cref="PieceState.NotCurrent"/> when it is not for the step's attempt being aggregated,
    /// or names a shard it does not have: the caller lets the aggregator judge and count it (late, or rejected).
    /// </summary>
    public PieceOutcome OfferHead(string worker, in ShardResult head)
    {
        if (!Current(head.Step, head.Attempt, head.ShardId)) return new PieceOutcome(PieceState.NotCurrent);
        var entry = EntryOf(head.ShardId, worker);
        if (entry.Head is not null)
        {
            release(head.Payload);
            return new PieceOutcome(PieceState.Dropped, Reason: $"a second head of shard {head.ShardId} of step {head.Step + 1} from one worker");
        }
        entry.Head = head;
        return Whole(entry);
    }

    /// <summary>
    /// Takes range <paramref name="range"/>'s part of a shard's gradient. <see cref="PieceState.Malformed"/> when the range
    /// does not exist or the part's length is not the range's: that worker's result for the shard is then bad as a whole.
    /// </summary>
    public PieceOutcome OfferPart(string worker, long step, int attempt, int shardId, int range, float[] part)
    {
        if (!Current(step, attempt, shardId))
        {
            release(part);
            LateParts++;
            return new PieceOutcome(PieceState.Dropped, Reason: $"a part of step {step + 1} attempt {attempt} shard {shardId}, " +
                                                                  $"while aggregating step {_step + 1} attempt {_attempt}");
        }
        if ((uint)range >= (uint)Ranges || part.Length != cuts[range + 1] - cuts[range])
        {
            release(part);
            return new PieceOutcome(PieceState.Malformed, Reason: $"its part {range} of shard {shardId} of step {step + 1} carries " +
                                                                   $"{part.Length} floats; this run has {Ranges} key ranges, bounded at [{string.Join(", ", cuts)}]");
        }
        var entry = EntryOf(shardId, worker);
        if (entry.Parts[range] is not null)
        {
            release(part);
            return new PieceOutcome(PieceState.Dropped, Reason: $"a second part {range} of shard {shardId} of step {step + 1} from one worker");
        }
        entry.Parts[range] = part;
        entry.PartsIn++;
        float squares = TensorPrimitives.SumOfSquares<float>(part);
        entry.SumOfSquares += squares;
        // A NaN or an infinity carries into the squares; only a non-finite sum (huge finite values overflow too) needs the element check.
        if (!float.IsFinite(squares) && !Finite.All(part)) entry.Finite = false;
        return Whole(entry);
    }

    /// <summary>The step is complete: its sum reads shard i's parts from <paramref name="senders"/>[i]'s result.</summary>
    public void Sum(IReadOnlyList<string> senders) => _senders = senders;

    int IShardGradients.ShardCount => _shards;

    ReadOnlySpan<float> IShardGradients.Gradient(int shard, int offset, int length)
    {
        int range = Array.IndexOf(cuts, offset);
        if (range < 0 || range == Ranges || cuts[range + 1] - offset != length)
            throw new ArgumentException($"[{offset}, {offset + length}) is not one of the key ranges bounded at [{string.Join(", ", cuts)}]");
        if (shard >= _senders.Count || !_entries.TryGetValue((shard, _senders[shard]), out var entry) || entry.Parts[range] is not { } part)
            throw new InvalidOperationException($"shard {shard} of step {_step + 1} has no part {range} from the worker whose result was taken");
        return part;
    }

    private bool Current(long step, int attempt, int shardId) => step == _step && attempt == _attempt && (uint)shardId < (uint)_shards;

    private Entry EntryOf(int shard, string worker)
    {
        if (!_entries.TryGetValue((shard, worker), out var entry))
            _entries[(shard, worker)] = entry = new Entry(Ranges);
        return entry;
    }

    private static PieceOutcome Whole(Entry entry) =>
        entry.Head is { } head && entry.PartsIn == entry.Parts.Length
            ? new PieceOutcome(PieceState.Whole, head, (float)Math.Sqrt(entry.SumOfSquares), entry.Finite)
            : new PieceOutcome(PieceState.Held);

    private void Release(Entry entry)
    {
        foreach (var part in entry.Parts)
            if (part is not null) release(part);
        // A whole result's head went on to the aggregator, which releases it; a head still waiting for parts is this one's.
        if (entry.Head is { } head && entry.PartsIn < entry.Parts.Length) release(head.Payload);
    }

    private sealed class Entry(int ranges)
    {
        public ShardResult? Head { get; set; }
        public float[]?[] Parts { get; } = new float[]?[ranges];
        public int PartsIn { get; set; }
        public double SumOfSquares { get; set; }
        public bool Finite { get; set; } = true;
    }
}

/// <summary>What became of a piece offered to <see cref="ShardParts"/>.</summary>
public enum PieceState
{
    /// <summary>Kept; its result waits for its other pieces.</summary>
    Held,

    /// <summary>Its result is whole: the outcome carries the head, the gradient's norm and whether every part was finite.</summary>
    Whole,

    /// <summary>A head not for the step's attempt being aggregated: the aggregator judges it.</summary>
    NotCurrent,

    /// <summary>Dropped and released: a part of another step or attempt, or a piece sent twice.</summary>
    Dropped,

    /// <summary>A part that cannot belong to this run's ranges: released, and its worker's result for the shard is bad.</summary>
    Malformed,
}

public readonly record struct PieceOutcome(PieceState State, ShardResult Head = default, float Norm = 0, bool Finite = true, string? Reason = null);
