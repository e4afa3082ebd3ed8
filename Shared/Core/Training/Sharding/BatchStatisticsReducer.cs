namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// The parameter server's half of synchronised batch norm. Every shard of a step offers its
/// statistics for each batch-norm layer, forward (moments) then backward (gradient sums); once all
/// shards of the step have offered for a (kind, layer), the reduction is made in shard order and
/// every peer that offered gets it. A shard recomputed after the reduction (its first worker was
/// lost) gets the kept result at once. Offers for an earlier attempt of the step are stale: their
/// sender must abandon the shard. <typeparamref name="TPeer"/> is whoever must be answered.
/// </summary>
public sealed class BatchStatisticsReducer<TPeer>(IReadOnlyList<int> widths)
{
    private readonly Dictionary<(StatisticsKind, int), Slot> _slots = new();
    private Shard[] _shards = [];

    public long Step { get; private set; } = -1;
    public int Attempt { get; private set; }

    /// <summary>Starts a step (or a new attempt of it); peers still waiting on the old one are returned, to be told to abandon it.</summary>
    public IReadOnlyList<TPeer> Begin(long step, int attempt, IReadOnlyList<Shard> shards)
    {
        var abandoned = _slots.Values.Where(s => s.Result is null).SelectMany(s => s.Waiting).Distinct().ToList();
        _slots.Clear();
        Step = step;
        Attempt = attempt;
        _shards = shards.ToArray();
        return abandoned;
    }

    public ReductionOffer Offer(StatisticsKind kind, long step, int attempt, int shardId, int layer, int rows,
        float[] payload, TPeer peer, out IReadOnlyList<TPeer> answer)
    {
        answer = [peer];
        if (step != Step || attempt != Attempt) return ReductionOffer.Stale();
        if ((uint)layer >= (uint)widths.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), $"batch-norm layer {layer} does not exist (the model has {widths.Count})");
        if ((uint)shardId >= (uint)_shards.Length)
            throw new ArgumentOutOfRangeException(nameof(shardId), $"shard {shardId} does not exist (step {step} has {_shards.Length})");
        int width = widths[layer];
        if (payload.Length != 2 * width)
            throw new ArgumentException($"batch-norm layer {layer}: {payload.Length} floats; expected {2 * width}", nameof(payload));

        if (!_slots.TryGetValue((kind, layer), out var slot))
            _slots[(kind, layer)] = slot = new Slot(_shards.Length);
        if (slot.Result is { } done) return done;
        slot.Offers[shardId] ??= (rows, payload);
        // Once each: a peer that offers again (the same shard, or another of its shards) waits for one answer, whatever it sends.
        if (!slot.Waiting.Contains(peer)) slot.Waiting.Add(peer);
        if (slot.Offers.Any(o => o is null))
        {
            answer = [];
            return ReductionOffer.Pending();
        }
        slot.Result = kind == StatisticsKind.Moments ? MergeMoments(slot, width) : AddSums(slot, width);
        answer = [.. slot.Waiting];
        return slot.Result.Value;
    }

    private static ReductionOffer MergeMoments(Slot slot, int width)
    {
        var merger = new MomentsMerger(width);
        foreach (var (rows, payload) in slot.Offers.Select(o => o!.Value))
            merger.Add(rows, payload.AsSpan(0, width), payload.AsSpan(width, width));
        var result = new float[2 * width];
        merger.Result(result.AsSpan(0, width), result.AsSpan(width, width));
        return ReductionOffer.Reduced((int)merger.Count, result);
    }

    private static ReductionOffer AddSums(Slot slot, int width)
    {
        var sums = new double[2 * width];
        int rows = 0;
        foreach (var (shardRows, payload) in slot.Offers.Select(o => o!.Value))
        {
            rows += shardRows;
            for (int i = 0; i < sums.Length; i++) sums[i] += payload[i];
        }
        return ReductionOffer.Reduced(rows, sums.Select(s => (float)s).ToArray());
    }

    private sealed class Slot(int shards)
    {
        public (int Rows, float[] Payload)?[] Offers { get; } = new (int, float[])?[shards];
        public List<TPeer> Waiting { get; } = [];
        public ReductionOffer? Result { get; set; }
    }
}

/// <summary>Where an offer stands: still waiting for other shards, reduced (with the global rows and values), or stale.</summary>
public readonly record struct ReductionOffer(ReductionState State, int Rows, float[]? Values)
{
    public static ReductionOffer Pending() => new(ReductionState.Pending, 0, null);
    public static ReductionOffer Stale() => new(ReductionState.Stale, 0, null);
    public static ReductionOffer Reduced(int rows, float[] values) => new(ReductionState.Reduced, rows, values);
}

public enum ReductionState
{
    Pending,
    Reduced,
    Stale,
}
