using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training.KeyRanges;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// One key range's share of the parameter server's state, held on its own so that it can be kept anywhere: the range's
/// weights (the version sent, and the next one written beside it, <see cref="PublishedWeights"/>) and an optimizer sized to
/// the range, and the one way they change. A step sums the range of the accepted shards' gradients in shard order, checks
/// it finite and steps it into the next version beside the current one (<see cref="FiniteStepGuard"/>); the step then waits
/// for the decision every range shares: <see cref="Commit"/> makes it the range's, <see cref="Discard"/> forgets it, leaving
/// the weights, the state and the step count as they were. Every rule is element-wise, so a range stepped apart gives the
/// bits the whole vector's step gives there.
/// </summary>
public sealed class RangeServer
{
    private readonly FiniteStepGuard _guard;
    private readonly PublishedWeights _weights;

    /// <summary>
    /// The range <paramref name="range"/> with the values <paramref name="weights"/> (copied) and <paramref name="optimizer"/>,
    /// which holds as many parameters as the range and is the range's from now on.
    /// </summary>
    public RangeServer(ParameterRange range, IOptimizer optimizer, ReadOnlySpan<float> weights, PayloadPool payloads)
    {
        if (weights.Length != range.Length)
            throw new ArgumentException($"key range [{range.Offset}, {range.Offset + range.Length}) given {weights.Length} weights", nameof(weights));
        Range = range;
        Optimizer = optimizer;
        _guard = new FiniteStepGuard(optimizer);
        _weights = new PublishedWeights(payloads, weights);
        Version = optimizer.StepCount;
    }

    /// <summary>
    /// A range of a model whose whole optimizer is <paramref name="whole"/>: an optimizer of the same settings for the range
    /// alone, starting from <paramref name="whole"/>'s state there and its step count.
    /// </summary>
    public static RangeServer Cut(ParameterRange range, IOptimizer whole, ReadOnlySpan<float> parameters, PayloadPool payloads) =>
        Start(range, whole.ResolvedSettings, whole.StepCount, parameters.Slice(range.Offset, range.Length), whole.StateNames.Count,
            buffer => whole.State(whole.StateNames[buffer]).Slice(range.Offset, range.Length), payloads, $"key range at {range.Offset}");

    /// <summary>The range a <see cref="HostRange"/> hands over, wherever it is served; throws when its buffers do not fit its settings.</summary>
    /// <exception cref="ArgumentException">a buffer of another length than the range, or another count of state buffers than its optimizer has</exception>
    public static RangeServer Hosting(HostRange host, PayloadPool payloads) =>
        Start(new ParameterRange(host.Offset, host.Length, []), host.Optimizer, host.StepCount, host.Weights, host.State.Length,
            buffer => host.State[buffer], payloads, $"key range {host.Range}");

    /// <summary>
    /// A range with an optimizer of <paramref name="settings"/> whose <paramref name="buffers"/> state buffers are read, in its
    /// order of state names, from <paramref name="state"/> (a view, copied once into the range's optimizer).
    /// </summary>
    private static RangeServer Start(ParameterRange range, OptimizerSettings settings, long stepCount, ReadOnlySpan<float> weights,
        int buffers, Func<int, ReadOnlySpan<float>> state, PayloadPool payloads, string name)
    {
        var optimizer = OptimizerFactory.Create(settings, range.Length);
        if (buffers != optimizer.StateNames.Count)
            throw new ArgumentException($"{name}: {buffers} optimizer state buffers where {settings.Name} has {optimizer.StateNames.Count}",
                nameof(state));
        for (int i = 0; i < buffers; i++)
        {
            var buffer = state(i);
            if (buffer.Length != range.Length)
                throw new ArgumentException($"{name}: optimizer state {optimizer.StateNames[i]} holds {buffer.Length} values; " +
                                            $"the range has {range.Length}", nameof(state));
            buffer.CopyTo(optimizer.State(optimizer.StateNames[i]));
        }
        optimizer.SetStepCount(stepCount);
        return new RangeServer(range, optimizer, weights, payloads);
    }

    /// <summary>What a server of this range elsewhere starts from: the range's weights, optimizer settings and state, and step count, copied.</summary>
    public HostRange ToHost(int range) =>
        new(range, Range.Offset, Range.Length, Optimizer.ResolvedSettings, Version, _weights.Current.Array.ToArray(), CopyState());

    public ParameterRange Range { get; }

    /// <summary>The range's optimizer, holding <see cref="ParameterRange.Length"/> parameters.</summary>
    public IOptimizer Optimizer { get; }

    /// <summary>
    /// The version of the range's weights: the number of optimizer steps committed. A step begun and not yet decided is not
    /// counted (the optimizer counts it already), so a stream that connects or a gather in between reads the version its
    /// weights are.
    /// </summary>
    public long Version { get; private set; }

    /// <summary>The range's weights as sent; read-only.</summary>
    public SharedPayload Weights => _weights.Current;

    /// <summary>The weights the step begun would make the range's; read-only, and only between a finite step and its decision.</summary>
    public ReadOnlySpan<float> NextWeights => _weights.Next;

    /// <summary>
    /// Sums the range of <paramref name="shards"/>' gradients into <paramref name="gradient"/> (the range's length) and, when
    /// every value is finite (<paramref name="finite"/>), steps the optimizer into the next version, a block at a time
    /// (<see cref="FiniteStepGuard.StepBlocks{TGradient}"/>); what the step would leave NaN or infinite, or null. A step is
    /// begun either way: <see cref="Commit"/> or <see cref="Discard"/> ends it.
    /// </summary>
    public string? SumAndStep(IShardGradients shards, Span<float> gradient, out bool finite)
    {
        _guard.BeginStep();
        return _guard.StepBlocks(_weights.Current.Array, gradient, _weights.Next, new ShardSum(shards, Range.Offset), out finite);
    }

    /// <summary>A block of the range's gradient: the shards' sum there, in shard order.</summary>
    private readonly struct ShardSum(IShardGradients shards, int rangeOffset) : FiniteStepGuard.IGradientBlocks
    {
        public void Fill(Span<float> block, int offset) => ShardOrderSum.Into(shards, block, rangeOffset + offset);
    }

    /// <summary>Makes the step whose every range was finite the range's: its weights become the version sent.</summary>
    public void Commit()
    {
        _guard.Commit();
        _weights.PublishNext();
        Version = Optimizer.StepCount;
    }

    /// <summary>Forgets the step: the weights, the state and the step count stay those of the step before it.</summary>
    public void Discard() => _guard.Refuse();

    /// <summary>Copies of the range's optimizer state buffers, in the optimizer's order of <see cref="IOptimizer.StateNames"/>.</summary>
    public float[][] CopyState() => [.. Optimizer.StateNames.Select(name => Optimizer.State(name).ToArray())];

    /// <summary>Copies the range's optimizer state into <paramref name="whole"/>'s at the range's place (for a checkpoint of the whole model).</summary>
    public void CopyStateTo(IOptimizer whole)
    {
        if (ReferenceEquals(whole, Optimizer)) return;
        foreach (var name in Optimizer.StateNames) Optimizer.State(name).CopyTo(whole.State(name).Slice(Range.Offset, Range.Length));
    }
}
