using System.Numerics.Tensors;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// One key range's gradient parts of the step being aggregated, on the side of the range, wherever the range is kept: each
/// part is checked as it comes (the step's attempt, the range's length, finite), reported to the step's master as its sum of
/// squares and finiteness (<see cref="PartReport"/>, all the norm rule reads), and kept until the next step begins, to be
/// summed in shard order from the parts of the workers whose results the master took (<see cref="IShardGradients"/>, for
/// this range's elements alone). It owns every part offered to it. What it holds is bounded by the step's shards times the
/// workers each is assigned to: its caller offers only parts from those workers, one per (shard, worker). A part in a 16-bit
/// wire dtype is decoded as it comes, into an array from <paramref name="rent"/> (new arrays when null).
/// </summary>
public sealed class RangeIntake(int range, int offset, int length, Action<float[]> release, Func<int, float[]>? rent = null) : IShardGradients
{
    private readonly Dictionary<(int Shard, string Worker), float[]> _parts = [];
    private readonly HashSet<int> _shardsIn = [];
    private long _step = -1;
    private int _attempt, _shards;
    private IReadOnlyList<string> _senders = [];

    /// <summary>The step being collected (-1 before the first).</summary>
    public long Step => _step;

    /// <summary>The attempt of <see cref="Step"/> being collected.</summary>
    public int Attempt => _attempt;

    /// <summary>Whether a part of every shard of the step's attempt is held (from any worker).</summary>
    public bool EveryShardIn => _shards > 0 && _shardsIn.Count == _shards;

    /// <summary>Parts dropped because they were for another step or attempt than the one aggregated, over the run.</summary>
    public long LateParts { get; private set; }

    /// <summary>Starts collecting a step's attempt; every part held for the one before is released.</summary>
    public void Begin(long step, int attempt, int shards)
    {
        foreach (var part in _parts.Values) release(part);
        _parts.Clear();
        _shardsIn.Clear();
        (_step, _attempt, _shards) = (step, attempt, shards);
        _senders = [];
    }

    /// <summary>
    /// Takes a worker's part of this range for one shard of the step's attempt, in <paramref name="dtype"/>, and says what the
    /// master is to hear.
    /// </summary>
    public PartReport Offer(string worker, long step, int attempt, int shardId, float[] part, WireDtype dtype = WireDtype.Fp32)
    {
        if (step != _step || attempt != _attempt || (uint)shardId >= (uint)_shards)
        {
            release(part);
            LateParts++;
            return new PartReport(PieceState.Dropped, step, attempt, shardId, range,
                Reason: $"a part of step {step + 1} attempt {attempt} shard {shardId}, while aggregating step {_step + 1} attempt {_attempt}");
        }
        int floats = dtype == WireDtype.Fp32 ? length : GradientCodec.PackedFloats(length);
        if (part.Length != floats)
        {
            release(part);
            return new PartReport(PieceState.Malformed, step, attempt, shardId, range,
                Reason: dtype == WireDtype.Fp32
                    ? $"its part {range} of shard {shardId} of step {step + 1} carries {part.Length} floats; the range has {length}"
                    : $"its {WireDtypes.Name(dtype)} part {range} of shard {shardId} of step {step + 1} carries {part.Length} floats; " +
                      $"the range's {length} values pack into {floats}");
        }
        if (dtype != WireDtype.Fp32)
        {
            var decoded = rent?.Invoke(length) ?? new float[length];
            GradientCodec.DecodePacked(dtype, part, decoded);
            release(part);
            part = decoded;
        }
        if (!_parts.TryAdd((shardId, worker), part))
        {
            release(part);
            return new PartReport(PieceState.Dropped, step, attempt, shardId, range,
                Reason: $"a second part {range} of shard {shardId} of step {step + 1} from one worker");
        }
        _shardsIn.Add(shardId);
        float squares = TensorPrimitives.SumOfSquares<float>(part);
        // A NaN or an infinity carries into the squares; only a non-finite sum (huge finite values overflow too) needs the element check.
        bool finite = float.IsFinite(squares) || Finite.All(part);
        return new PartReport(PieceState.Held, step, attempt, shardId, range, squares, finite);
    }

    /// <summary>
    /// The sender of each shard's part when every shard of the step's attempt has exactly one (the sum the master will most
    /// likely ask for); false while a shard has none, or two (a shard computed again elsewhere: the master picks).
    /// </summary>
    public bool TryOneSenderEach([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string[]? senders)
    {
        senders = null;
        if (!EveryShardIn || _parts.Count != _shards) return false;
        senders = new string[_shards];
        foreach (var (shard, worker) in _parts.Keys) senders[shard] = worker;
        return true;
    }

    /// <summary>The step is complete: its sum reads shard i's part from <paramref name="senders"/>[i].</summary>
    public void Sum(IReadOnlyList<string> senders) => _senders = senders;

    int IShardGradients.ShardCount => _shards;

    ReadOnlySpan<float> IShardGradients.Gradient(int shard, int at, int count)
    {
        // Any part of the range: its server sums and steps it a block at a time.
        if (at < offset || count < 0 || at > offset + length - count)
            throw new ArgumentException($"[{at}, {at + count}) is not within key range {range}, [{offset}, {offset + length})");
        if (shard >= _senders.Count || !_parts.TryGetValue((shard, _senders[shard]), out var part))
            throw new InvalidOperationException($"shard {shard} of step {_step + 1} has no part {range} from the worker whose result was taken");
        return part.AsSpan(at - offset, count);
    }
}

/// <summary>
/// What a range's intake tells the step's master of one part: whether it was kept (with its sum of squares and whether every
/// value was finite), dropped (another step or attempt, or sent twice) or malformed (that worker's result is then bad).
/// </summary>
public readonly record struct PartReport(PieceState State, long Step, int Attempt, int ShardId, int Range, float SumOfSquares = 0,
    bool Finite = true, string? Reason = null);
