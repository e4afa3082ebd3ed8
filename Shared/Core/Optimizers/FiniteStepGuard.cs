using DistTrainer.Core.Training;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// Refuses an optimizer step whose result is not finite: a finite but huge gradient (1e30) squares to
/// infinity in Adam's second moment and freezes the weights for good, which no check of the gradient alone
/// sees. The step is written beside the current weights and state (<see cref="IOptimizer.BeginStep"/>), checked
/// (one pass over each new vector), and then committed or forgotten: a refused step leaves the weights, the state and
/// the step count those of the last good step without a copy taken before it. A step may be taken range by range
/// (<see cref="StepRange"/> on ranges that do not overlap, at the same time if wanted); the decision is the step's:
/// when one range goes non-finite, the whole step is refused (<see cref="Refuse"/>).
/// </summary>
public sealed class FiniteStepGuard(IOptimizer optimizer)
{
    /// <summary>
    /// Steps the optimizer from <paramref name="parameters"/> into <paramref name="updated"/>; false, with the state and
    /// the step count as they were, when the step would leave a weight or a state value non-finite (<paramref name="what"/>
    /// names it). <paramref name="updated"/> holds the new weights only when it returns true.
    /// </summary>
    public bool TryStep(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, Span<float> updated, out string? what)
    {
        BeginStep();
        what = StepRange(parameters, gradients, updated, 0, parameters.Length);
        if (what is null) Commit();
        else Refuse();
        return what is null;
    }

    /// <summary>Counts the step whose ranges follow.</summary>
    public void BeginStep() => optimizer.BeginStep();

    /// <summary>
    /// Steps the range [offset, offset + length): the new weights go to <paramref name="updated"/>, the new state to the
    /// optimizer's pending buffers; what the step left NaN or infinite in that range, or null. <paramref name="parameters"/>,
    /// <paramref name="gradients"/> and <paramref name="updated"/> are the whole vectors.
    /// </summary>
    public string? StepRange(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, Span<float> updated, int offset, int length)
    {
        var weights = updated.Slice(offset, length);
        optimizer.StepRange(parameters.Slice(offset, length), gradients.Slice(offset, length), weights, offset);
        if (!Finite.All(weights)) return "the weights";
        // By index: a foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < optimizer.StateNames.Count; i++)
            if (!Finite.All(optimizer.PendingState(optimizer.StateNames[i]).Slice(offset, length)))
                return $"the optimizer state {optimizer.StateNames[i]}";
        return null;
    }

    /// <summary>Makes the step whose every range was finite the optimizer's.</summary>
    public void Commit() => optimizer.CommitStep();

    /// <summary>Forgets the step: the state and the step count stay those of the step before it.</summary>
    public void Refuse() => optimizer.DiscardStep();
}
