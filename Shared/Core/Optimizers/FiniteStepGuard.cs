using DistTrainer.Core.Training;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// Refuses an optimizer step whose result is not finite: a finite but huge gradient (1e30) squares to
/// infinity in Adam's second moment and freezes the weights for good, which no check of the gradient alone
/// sees. The weights and every state buffer are copied before the step and checked after it (one pass
/// each); when any value is NaN or infinite, the copies and the step count are put back, so the weights and
/// state stay those of the last good step. A step may be taken range by range (<see cref="BeginStep"/>,
/// <see cref="StepRange"/> on ranges that do not overlap, at the same time if wanted); the decision is the
/// step's: when one range goes non-finite, every range is rolled back (<see cref="RollBackRange"/>,
/// <see cref="RefuseStep"/>).
/// </summary>
public sealed class FiniteStepGuard
{
    private readonly IOptimizer _optimizer;
    private readonly float[] _parameters;
    private readonly float[][] _state;
    private long _stepsBefore;

    public FiniteStepGuard(IOptimizer optimizer, int parameterCount)
    {
        _optimizer = optimizer;
        _parameters = new float[parameterCount];
        _state = optimizer.StateNames.Select(_ => new float[parameterCount]).ToArray();
    }

    /// <summary>
    /// Steps the optimizer; false, with <paramref name="parameters"/>, the state and the step count as they
    /// were, when the step would leave a weight or a state value non-finite (<paramref name="what"/> names it).
    /// </summary>
    public bool TryStep(Span<float> parameters, ReadOnlySpan<float> gradients, out string? what)
    {
        BeginStep();
        what = StepRange(parameters, gradients, 0, parameters.Length);
        if (what is null) return true;
        RollBackRange(parameters, 0, parameters.Length);
        RefuseStep();
        return false;
    }

    /// <summary>Counts the step whose ranges follow, remembering the count to put back if it is refused.</summary>
    public void BeginStep()
    {
        _stepsBefore = _optimizer.StepCount;
        _optimizer.BeginStep();
    }

    /// <summary>
    /// Copies the range [offset, offset + length) of the weights and state, then steps it; what the step left
    /// NaN or infinite in that range, or null. <paramref name="parameters"/> and <paramref name="gradients"/>
    /// are the whole vectors.
    /// </summary>
    public string? StepRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, int length)
    {
        var weights = parameters.Slice(offset, length);
        weights.CopyTo(_parameters.AsSpan(offset, length));
        for (int i = 0; i < _state.Length; i++)
            _optimizer.State(_optimizer.StateNames[i]).Slice(offset, length).CopyTo(_state[i].AsSpan(offset, length));
        _optimizer.StepRange(weights, gradients.Slice(offset, length), offset);
        if (!Finite.All(weights)) return "the weights";
        // By index: a foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < _state.Length; i++)
            if (!Finite.All(_optimizer.State(_optimizer.StateNames[i]).Slice(offset, length)))
                return $"the optimizer state {_optimizer.StateNames[i]}";
        return null;
    }

    /// <summary>Puts back the weights and state of a range stepped by <see cref="StepRange"/>.</summary>
    public void RollBackRange(Span<float> parameters, int offset, int length)
    {
        _parameters.AsSpan(offset, length).CopyTo(parameters.Slice(offset, length));
        for (int i = 0; i < _state.Length; i++)
            _state[i].AsSpan(offset, length).CopyTo(_optimizer.State(_optimizer.StateNames[i]).Slice(offset, length));
    }

    /// <summary>Puts back the step count of <see cref="BeginStep"/>, once every range is rolled back.</summary>
    public void RefuseStep() => _optimizer.SetStepCount(_stepsBefore);
}
