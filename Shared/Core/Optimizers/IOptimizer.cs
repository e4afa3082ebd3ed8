namespace DistTrainer.Core.Optimizers;

/// <summary>
/// A torch.optim update rule over one flat float32 vector holding every parameter of a model.
/// Its state buffers have the same length and carry torch's names, so a checkpoint can save and restore them.
/// </summary>
public interface IOptimizer
{
    string Name { get; }

    /// <summary>Steps taken so far; the first <see cref="Step"/> makes it 1, as torch's state["step"].</summary>
    long StepCount { get; }

    OptimizerSettings ResolvedSettings { get; }

    /// <summary>Names of the state buffers, as in torch's optimizer.state (e.g. "exp_avg", "exp_avg_sq").</summary>
    IReadOnlyList<string> StateNames { get; }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradients"/>; allocates nothing.</summary>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients);

    /// <summary>
    /// Counts one step whose elements are then written range by range with <see cref="StepRange"/> beside the current
    /// values, which stay as they were until <see cref="CommitStep"/> makes the new ones current or <see cref="DiscardStep"/>
    /// forgets them and the count: a refused step needs no copy to roll back. The rules are element-wise, so the ranges
    /// together give exactly the bits of one <see cref="Step"/>.
    /// </summary>
    void BeginStep();

    /// <summary>
    /// Writes the step counted by <see cref="BeginStep"/> for the elements [offset, offset + parameters.Length): the new
    /// weights into <paramref name="updated"/>, the new state into the pending buffers (<see cref="PendingState"/>), from
    /// the current weights <paramref name="parameters"/> and state. <paramref name="parameters"/>,
    /// <paramref name="gradients"/> and <paramref name="updated"/> are those slices; ranges that do not overlap may run at
    /// the same time. Allocates nothing.
    /// </summary>
    void StepRange(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients, Span<float> updated, int offset);

    /// <summary>The named state buffer as the step begun by <see cref="BeginStep"/> writes it.</summary>
    ReadOnlySpan<float> PendingState(string name);

    /// <summary>Makes the state written by the ranges of the step begun by <see cref="BeginStep"/> current.</summary>
    void CommitStep();

    /// <summary>Forgets the step begun by <see cref="BeginStep"/>: the state and the step count stay as they were before it.</summary>
    void DiscardStep();

    /// <summary>The named state buffer, writable so that a checkpoint can restore it.</summary>
    Span<float> State(string name);

    /// <summary>Restores the step count of a checkpoint, together with the buffers of <see cref="State"/>.</summary>
    void SetStepCount(long steps);
}
