using System.Numerics.Tensors;

namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// Collects the shard results of one step (one attempt of it) and, once every shard is in, sums the
/// gradients in shard order — never arrival order — so the same shards give the same bits. Each
/// shard is taken exactly once; duplicates, late results and malformed or non-finite ones are
/// dropped and counted; each accepted gradient's norm is taken as it arrives, so that a robust rule can judge the
/// complete step without another pass, and a shard judged an outlier is withdrawn. It owns the payloads it accepts and hands each to <paramref name="release"/>
/// when the next step begins (the caller keeps the ones it does not accept).
/// </summary>
public sealed class StepAggregator(ShardPayloadLayout layout, Action<float[]>? release = null) : IShardGradients
{
    private Shard[] _shards = [];
    private ShardResult?[] _results = [];
    private double[] _norms = [];
    private int _received;

    public ShardPayloadLayout Layout { get; } = layout;
    public long Step { get; private set; } = -1;
    public int Attempt { get; private set; }
    public IReadOnlyList<Shard> Shards => _shards;
    public bool IsComplete => _shards.Length > 0 && _received == _shards.Length;
    public long Duplicates { get; private set; }
    public long Late { get; private set; }
    public long Rejected { get; private set; }

    /// <summary>Starts aggregating a step; whatever the previous step held is dropped.</summary>
    public void Begin(long step, int attempt, IReadOnlyList<Shard> shards)
    {
        if (shards.Count == 0) throw new ArgumentException("a step needs at least one shard", nameof(shards));
        if (release is not null)
            foreach (var held in _results)
                if (held is { } result) release(result.Payload);
        Step = step;
        Attempt = attempt;
        _shards = shards.ToArray();
        _results = new ShardResult?[_shards.Length];
        _norms = new double[_shards.Length];
        _received = 0;
    }

    /// <summary>Offers one result; <paramref name="reason"/> says why it was not accepted.</summary>
    public ShardVerdict Offer(in ShardResult result, out string? reason)
    {
        if (Admit(result, out reason) is { } refused) return refused;
        // One read of the gradients for both checks: a NaN or an infinity carries into the sum of squares, so a finite norm
        // proves every gradient finite, and only an infinite one (squares of huge finite values overflow too) needs the
        // element check.
        var gradients = Layout.Gradients(result.Payload);
        float norm = TensorPrimitives.Norm<float>(gradients);
        return Take(result, norm, float.IsFinite(norm) || Finite.All(gradients), out reason);
    }

    /// <summary>
    /// Offers a result whose gradients are held elsewhere (key ranges: each range's server has its part), as its head: a
    /// payload of the batch-norm statistics alone (a layout of no parameters), and the gradient's norm and finiteness as its
    /// parts' holders found them.
    /// </summary>
    public ShardVerdict OfferHead(in ShardResult head, float gradientNorm, bool gradientsFinite, out string? reason) =>
        Admit(head, out reason) ?? Take(head, gradientNorm, gradientsFinite, out reason);

    private ShardVerdict? Admit(in ShardResult result, out string? reason)
    {
        reason = null;
        if (result.Step != Step || result.Attempt != Attempt)
        {
            Late++;
            reason = $"step {result.Step} attempt {result.Attempt} while aggregating step {Step} attempt {Attempt}";
            return ShardVerdict.Late;
        }
        if ((uint)result.ShardId >= (uint)_shards.Length)
            return Reject($"shard {result.ShardId} does not exist (step {Step} has {_shards.Length})", out reason);
        if (_results[result.ShardId] is not null)
        {
            Duplicates++;
            reason = $"shard {result.ShardId} of step {Step} was already applied";
            return ShardVerdict.Duplicate;
        }
        var shard = _shards[result.ShardId];
        if (result.Rows != shard.Count)
            return Reject($"shard {result.ShardId} of step {Step} reports {result.Rows} rows; it has {shard.Count}", out reason);
        if (result.Payload.Length != Layout.Length)
            return Reject($"shard {result.ShardId} of step {Step} carries {result.Payload.Length} floats; expected {Layout.Length}", out reason);
        if (!double.IsFinite(result.LossSum))
            return Reject($"shard {result.ShardId} of step {Step} has loss {result.LossSum}", out reason, ShardVerdict.NotFinite);
        return null;
    }

    // The batch-norm statistics after the gradients are always checked.
    private ShardVerdict Take(in ShardResult result, float norm, bool gradientsFinite, out string? reason)
    {
        if (!gradientsFinite || !Finite.All(result.Payload.AsSpan(Layout.ParameterCount)))
            return Reject($"shard {result.ShardId} of step {Step} has a NaN or infinite gradient or statistic", out reason, ShardVerdict.NotFinite);
        reason = null;
        _results[result.ShardId] = result;
        _norms[result.ShardId] = norm;
        _received++;
        return ShardVerdict.Accepted;
    }

    /// <summary>The norm of an accepted shard's gradient (infinite when its squares overflow, as huge finite values do).</summary>
    public double GradientNorm(int shardId) =>
        _results[shardId] is not null ? _norms[shardId] : throw new InvalidOperationException($"shard {shardId} of step {Step} is not in");

    /// <summary>
    /// Takes back an accepted shard that a rule rejected once the step was complete: its payload is released, it
    /// counts as rejected, and the step waits for the shard again.
    /// </summary>
    public void Withdraw(int shardId)
    {
        if (_results[shardId] is not { } result) throw new InvalidOperationException($"shard {shardId} of step {Step} is not in");
        release?.Invoke(result.Payload);
        _results[shardId] = null;
        _received--;
        Rejected++;
    }

    /// <summary>The shards still missing, in shard order.</summary>
    public IEnumerable<Shard> Missing()
    {
        for (int i = 0; i < _shards.Length; i++)
            if (_results[i] is null) yield return _shards[i];
    }

    /// <summary>
    /// Writes the sum of the shard gradients, in shard order, into <paramref name="gradient"/>; a range of it is summed
    /// by <see cref="ShardOrderSum"/> with this aggregator as its source.
    /// </summary>
    public void SumGradients(Span<float> gradient) => ShardOrderSum.Into(this, gradient, 0);

    int IShardGradients.ShardCount => _results.Length;

    // Every sum reads through here, so none reads a step that is not complete.
    ReadOnlySpan<float> IShardGradients.Gradient(int shard, int offset, int length)
    {
        RequireComplete();
        return Layout.Gradients(_results[shard]!.Value.Payload).Slice(offset, length);
    }

    /// <summary>Merges the shards' batch statistics of one batch-norm layer, in shard order.</summary>
    public void MergeMoments(int batchNorm, MomentsMerger merger)
    {
        RequireComplete();
        merger.Reset();
        foreach (var result in _results)
            merger.Add(result!.Value.Rows, Layout.Mean(result.Value.Payload, batchNorm), Layout.Variance(result.Value.Payload, batchNorm));
    }

    /// <summary>Loss sum, correct count and rows of the whole step, added in shard order.</summary>
    public BatchOutcome Outcome()
    {
        RequireComplete();
        var total = default(BatchOutcome);
        foreach (var result in _results)
            total += new BatchOutcome(result!.Value.LossSum, result.Value.Correct, result.Value.Rows);
        return total;
    }

    private ShardVerdict Reject(string why, out string reason, ShardVerdict verdict = ShardVerdict.Rejected)
    {
        Rejected++;
        reason = why;
        return verdict;
    }

    private void RequireComplete()
    {
        if (!IsComplete) throw new InvalidOperationException($"step {Step} has {_received} of {_shards.Length} shards");
    }
}
