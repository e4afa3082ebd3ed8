using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer.Ranges;

/// <summary>
/// The step master's side of results that arrive in pieces (key ranges on streams of their own): each (shard, worker)'s
/// head (rows, loss, batch-norm moments) from the worker's main stream and, for each range, the report of that range's
/// intake on the worker's part (<see cref="PartReport"/>: its sum of squares and finiteness, never its bytes). A result is
/// whole once its head and every range's report are in; it then goes to the aggregator as its head, with the gradient's
/// norm and finiteness the reports give. It owns the heads offered to it until a result is whole, when its head goes on
/// with the outcome. What it holds is bounded by the step's shards times the workers each is assigned to: its caller offers
/// only pieces from those workers.
/// </summary>
public sealed class ShardParts(int ranges, Action<float[]> release)
{
    private readonly Dictionary<(int Shard, string Worker), Entry> _entries = [];
    private long _step = -1;
    private int _attempt, _shards;

    /// <summary>Starts collecting a step's attempt; the heads still waiting for parts of the one before are released.</summary>
    public void Begin(long step, int attempt, int shards)
    {
        foreach (var entry in _entries.Values)
            if (entry.Head is { } head && !entry.Whole) release(head.Payload);
        _entries.Clear();
        (_step, _attempt, _shards) = (step, attempt, shards);
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

    /// <summary>Takes a range intake's report of a part it kept (<see cref="PieceState.Held"/>).</summary>
    public PieceOutcome OfferPart(string worker, in PartReport report)
    {
        if (report.State != PieceState.Held) throw new ArgumentException($"a {report.State} part is not offered to the master", nameof(report));
        if (!Current(report.Step, report.Attempt, report.ShardId) || (uint)report.Range >= (uint)ranges)
            return new PieceOutcome(PieceState.Dropped, Reason: $"the report of part {report.Range} of step {report.Step + 1} attempt " +
                                                                 $"{report.Attempt} shard {report.ShardId}, while aggregating step {_step + 1} attempt {_attempt}");
        var entry = EntryOf(report.ShardId, worker);
        if (entry.RangesIn[report.Range])
            return new PieceOutcome(PieceState.Dropped, Reason: $"a second report of part {report.Range} of shard {report.ShardId} of step {report.Step + 1}");
        entry.RangesIn[report.Range] = true;
        entry.PartsIn++;
        entry.SumOfSquares += report.SumOfSquares;
        entry.Finite &= report.Finite;
        return Whole(entry);
    }

    private bool Current(long step, int attempt, int shardId) => step == _step && attempt == _attempt && (uint)shardId < (uint)_shards;

    private Entry EntryOf(int shard, string worker)
    {
        if (!_entries.TryGetValue((shard, worker), out var entry))
            _entries[(shard, worker)] = entry = new Entry(ranges);
        return entry;
    }

    private static PieceOutcome Whole(Entry entry)
    {
        if (entry.Head is not { } head || entry.PartsIn < entry.RangesIn.Length) return new PieceOutcome(PieceState.Held);
        entry.Whole = true;
        return new PieceOutcome(PieceState.Whole, head, (float)Math.Sqrt(entry.SumOfSquares), entry.Finite);
    }

    private sealed class Entry(int ranges)
    {
        public ShardResult? Head { get; set; }
        public bool[] RangesIn { get; } = new bool[ranges];
        public int PartsIn { get; set; }
        public double SumOfSquares { get; set; }
        public bool Finite { get; set; } = true;
        public bool Whole { get; set; }
    }
}

public readonly record struct PieceOutcome(PieceState State, ShardResult Head = default, float Norm = 0, bool Finite = true, string? Reason = null);
