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
    /// Counts one step whose elements are then updated range by range with <see cref="StepRange"/>: the rules are
    /// element-wise, so the ranges together give exactly the bits of one <see cref="Step"/>.
    /// </summary>
    void BeginStep();

    /// <summary>
    /// Applies the step counted by <see cref="BeginStep"/> to the elements [offset, offset + parameters.Length) of
    /// the weights (<paramref name="parameters"/> and <paramref name="gradients"/> are those slices) and of every
    /// state buffer; ranges that do not overlap may run at the same time. Allocates nothing.
    /// </summary>
    void StepRange(Span<float> parameters, ReadOnlySpan<float> gradients, int offset);

    /// <summary>The named state buffer, writable so that a checkpoint can restore it.</summary>
    Span<float> State(string name);

    /// <summary>Restores the step count of a checkpoint, together with the buffers of <see cref="State"/>.</summary>
    void SetStepCount(long steps);
}
