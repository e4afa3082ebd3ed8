namespace DistTrainer.Core.Optimizers;

/// <summary>
/// What every optimizer shares: the step count, the named state buffers, and the checks that let the update
/// rules index their spans without bounds checks.
/// </summary>
internal abstract class Optimizer : IOptimizer
{
    private readonly string[] _stateNames;
    private readonly float[][] _buffers;

    protected Optimizer(int parameterCount, params string[] stateNames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        this._stateNames = stateNames;
        _buffers = [.. stateNames.Select(_ => new float[parameterCount])];
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

    public void BeginStep() => StepCount++;

    public void StepRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset)
    {
        if (parameters.Length != gradients.Length || offset < 0 || offset > ParameterCount - parameters.Length)
        {
            throw new ArgumentException(
                $"optimizer '{Name}' holds {ParameterCount} parameters; got the range at {offset} with {parameters.Length} parameters and {gradients.Length} gradients");
        }

        Update(parameters, gradients, offset, ElementwiseMode.Vectorised);
    }

    public Span<float> State(string name)
    {
        var index = Array.IndexOf(_stateNames, name);
        return index >= 0
            ? _buffers[index]
            : throw new ArgumentException(
                $"optimizer '{Name}' has no state '{name}'; it has [{string.Join(", ", _stateNames)}]", nameof(name));
    }

    public void SetStepCount(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        StepCount = steps;
    }

    /// <summary>
    /// Applies the rule of step <see cref="StepCount"/> (already counted, 1 on the first step) to the range of the
    /// vector that starts at <paramref name="offset"/>; its state is <see cref="Buffer"/> at the same offset.
    /// </summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, ElementwiseMode mode);

    /// <summary>The state buffer's elements that belong to the range at <paramref name="offset"/>.</summary>
    protected Span<float> Buffer(int index, int offset, int length) => _buffers[index].AsSpan(offset, length);

    private void Advance(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        if (parameters.Length != ParameterCount || gradients.Length != ParameterCount)
        {
            throw new ArgumentException(
                $"optimizer '{Name}' holds {ParameterCount} parameters; got {parameters.Length} parameters and {gradients.Length} gradients");
        }

        StepCount++;
        Update(parameters, gradients, 0, mode);
    }
}
