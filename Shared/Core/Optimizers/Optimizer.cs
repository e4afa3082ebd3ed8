namespace DistTrainer.Core.Optimizers;

/// <summary>
/// What every optimizer shares: the step count, the named state buffers (and, for a step written beside them, a second
/// set the step writes into), and the checks that let the update rules index their spans without bounds checks.
/// </summary>
internal abstract class Optimizer : IOptimizer
{
    private readonly string[] _stateNames;
    private float[][] _buffers;
    // Allocated at the first step written beside the current state: a run that only steps in place holds one set.
    private float[][]? _pending;
    private long? _stepsBeforePending;

    protected Optimizer(int parameterCount, params string[] stateNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        this._stateNames = stateNames;
        _buffers = NewBuffers();
    }

    public string Name => ResolvedSettings.Name;

    public int ParameterCount { get; }

    public long StepCount { get; private set; }

    public abstract OptimizerSettings ResolvedSettings { get; }

    public IReadOnlyList<string> StateNames => _stateNames;

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients) =>
        Advance(parameters, gradients, ElementwiseMode.Vectorised);

    /// <summary>The same step through the scalar reference of the rule, for the tests of the vectorised one.</summary>
    internal void StepScalar(Span<float> parameters, ReadOnlySpan<float> gradients) =>
        Advance(parameters, gradients, ElementwiseMode.Scalar);

    public void BeginStep()
    {
        _pending ??= NewBuffers();
        _stepsBeforePending = StepCount;
        StepCount++;
    }

    public void StepRange(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, Span<float> updated, int offset)
    {
        if (_stepsBeforePending is null) throw new InvalidOperationException($"optimizer '{Name}' stepped a range without BeginStep");
        if (parameters.Length != gradients.Length || parameters.Length != updated.Length || offset < 0 ||
            offset > ParameterCount - parameters.Length)
        {
            throw new ArgumentException(
                $"optimizer '{Name}' holds {ParameterCount} parameters; got the range at {offset} with {parameters.Length} parameters, " +
                $"{gradients.Length} gradients and {updated.Length} to write");
        }

        Update(new InOut(parameters, updated), gradients, new StateRange(_buffers, _pending!, offset, parameters.Length), ElementwiseMode.Vectorised);
    }

    public Span<float> State(string name) => _buffers[IndexOf(name)];

    public ReadOnlySpan<float> PendingState(string name) =>
        _pending is { } pending ? pending[IndexOf(name)] : throw new InvalidOperationException($"optimizer '{Name}' has no step begun");

    public void CommitStep()
    {
        if (_stepsBeforePending is null) throw new InvalidOperationException($"optimizer '{Name}' has no step begun to commit");
        (_buffers, _pending) = (_pending!, _buffers);
        _stepsBeforePending = null;
    }

    public void DiscardStep()
    {
        if (_stepsBeforePending is not { } before) throw new InvalidOperationException($"optimizer '{Name}' has no step begun to discard");
        StepCount = before;
        _stepsBeforePending = null;
    }

    public void SetStepCount(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        StepCount = steps;
    }

    /// <summary>
    /// Applies the rule of step <see cref="StepCount"/> (already counted, 1 on the first step) to a range of the vector:
    /// <paramref name="parameters"/> and <paramref name="state"/> read the current values and write the new ones.
    /// </summary>
    protected abstract void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode);

    private int IndexOf(string name)
    {
        var index = Array.IndexOf(_stateNames, name);
        return index >= 0
            ? index
            : throw new ArgumentException(
                $"optimizer '{Name}' has no state '{name}'; it has [{string.Join(", ", _stateNames)}]", nameof(name));
    }

    private float[][] NewBuffers() => [.. _stateNames.Select(_ => new float[ParameterCount])];

    private void Advance(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        if (parameters.Length != ParameterCount || gradients.Length != ParameterCount)
        {
            throw new ArgumentException(
                $"optimizer '{Name}' holds {ParameterCount} parameters; got {parameters.Length} parameters and {gradients.Length} gradients");
        }

        StepCount++;
        Update(new InOut(parameters, parameters), gradients, new StateRange(_buffers, _buffers, 0, ParameterCount), mode);
    }

    /// <summary>The state buffers' elements of one range: read from the current buffers, written to the target ones.</summary>
    protected readonly ref struct StateRange(float[][] current, float[][] target, int offset, int length)
    {
        public int Length => length;

        public InOut this[int index] =>
            new(current[index].AsSpan(offset, length), target[index].AsSpan(offset, length));

        /// <summary>The buffer at <paramref name="index"/>, or empty when the optimizer keeps fewer (RMSprop without momentum).</summary>
        public InOut OrEmpty(int index) => index < current.Length ? this[index] : default;
    }
}
