using DistTrainer.Core.Training;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// Refuses an optimizer step whose result is not finite: a finite but huge gradient (1e30) squares to
/// infinity in Adam's second moment and freezes the weights for good, which no check of the gradient alone
/// sees. The weights and every state buffer are copied before the step and checked after it (one pass
/// each); when any value is NaN or infinite, the copies and the step count are put back, so the weights and
/// state stay those of the last good step.
/// </summary>
public sealed class FiniteStepGuard
{
    private readonly IOptimizer _optimizer;
    private readonly float[] _parameters;
    private readonly float[][] _state;

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
        long steps = _optimizer.StepCount;
        parameters.CopyTo(_parameters);
        for (int i = 0; i < _state.Length; i++) _optimizer.State(_optimizer.StateNames[i]).CopyTo(_state[i]);
        _optimizer.Step(parameters, gradients);
        what = NonFinite(parameters);
        if (what is null) return true;
        _parameters.CopyTo(parameters);
        for (int i = 0; i < _state.Length; i++) _state[i].CopyTo(_optimizer.State(_optimizer.StateNames[i]));
        _optimizer.SetStepCount(steps);
        return false;
    }

    private string? NonFinite(ReadOnlySpan<float> parameters)
    {
        if (!Finite.All(parameters)) return "the weights";
        foreach (string name in _optimizer.StateNames)
            if (!Finite.All(_optimizer.State(name)))
                return $"the optimizer state {name}";
        return null;
    }
}
