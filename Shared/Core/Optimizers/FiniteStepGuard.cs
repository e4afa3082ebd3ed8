using DistTrainer.Core.Training;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// Refuses an optimizer step whose result is not finite: a finite but huge gradient (1e30) squares to
/// infinity in Adam's second moment and freezes the weights for good, which no check of the gradient alone
/// sees. The step is written beside the current weights and state (<see cref="IOptimizer.BeginStep"/>), checked
/// (one pass over each new vector), and then committed or forgotten: a refused step leaves the weights, the state and
/// the step count those of the last good step without a copy taken before it. A step may be taken range by range
/// (<see cref="StepRange"/> on ranges that do not overlap, at the same time if wanted), or a block at a time over a whole
/// vector (<see cref="StepBlocks{TGradient}"/>, what the parameter server and one process run); the decision is the
/// step's: when one range goes non-finite, the whole step is refused (<see cref="Refuse"/>).
/// </summary>
public sealed class FiniteStepGuard(IOptimizer optimizer)
{
    /// <summary>
    /// Elements per block of <see cref="StepBlocks{TGradient}"/>, a multiple of every vector width: 32 KB a vector, so a
    /// block of the gradient (and of the shards summed into it), the weights and the optimizer's state, read and written
    /// (about nine vectors), fits a core's L2 cache. Measured on the default model's Adam step with 2 shards summed (medians
    /// of 2000 steps, runs in turn): 333-351 us in three runs against 369-477 us in seven for whole-vector passes; blocks
    /// of 1024 were slower (378-403 us), of 16384 and 32768 no faster (320-373 us).
    /// </summary>
    public const int BlockLength = 8192;

    /// <summary>Where a blockwise step's gradient comes from: written into each block just before the block is stepped.</summary>
    public interface IGradientBlocks
    {
        /// <summary>Writes the gradient of the stepped vector's elements [offset, offset + block.Length) into <paramref name="block"/>.</summary>
        void Fill(Span<float> block, int offset);
    }

    /// <summary>A gradient already whole in the vector the step reads: nothing to write.</summary>
    public readonly struct GradientInPlace : IGradientBlocks
    {
        public void Fill(Span<float> block, int offset)
        {
        }
    }

    /// <summary>What a run says when the guard refuses step <paramref name="step"/> + 1 for leaving <paramref name="what"/> non-finite.</summary>
    public static string Refused(long step, string what) =>
        $"the optimizer refused step {step + 1}: it would make {what} NaN or infinite (a huge gradient); the weights of step {step} are kept";

    /// <summary>
    /// The step begun (<see cref="BeginStep"/>) over the whole of <paramref name="parameters"/>, a block at a time: each block's
    /// gradient is written by <paramref name="source"/>, checked finite, stepped into <paramref name="updated"/> and the
    /// optimizer's pending state, and those checked, while the block is in cache; whole-vector passes read every
    /// model-sized vector from memory again, and an element's arithmetic is the same either way, so are its bits. Every
    /// block's gradient is written, whatever the step's fate, so <paramref name="gradients"/> is whole for whoever reads it;
    /// a block is stepped only while no block before it was refused or not finite (a step refused later leaves nothing,
    /// since all of it was written beside). <paramref name="finite"/> says whether the gradient was finite everywhere;
    /// returns what the step would leave NaN or infinite, or null (always null when the gradient was not finite).
    /// </summary>
    public string? StepBlocks<TGradient>(ReadOnlySpan<float> parameters, Span<float> gradients, Span<float> updated, TGradient source,
        out bool finite) where TGradient : IGradientBlocks
    {
        finite = true;
        string? refusal = null;
        for (int start = 0; start < parameters.Length; start += BlockLength)
        {
            int length = Math.Min(BlockLength, parameters.Length - start);
            var block = gradients.Slice(start, length);
            source.Fill(block, start);
            finite &= Finite.All(block);
            if (finite && refusal is null) refusal = StepRange(parameters, gradients, updated, start, length);
        }
        return finite ? refusal : null;
    }

    /// <summary>
    /// A whole step, begun and decided (<see cref="StepBlocks{TGradient}"/>): the optimizer stepped from
    /// <paramref name="parameters"/> into <paramref name="updated"/>; false, with the state and the step count as they were,
    /// when the gradient is not finite or the step would leave a weight or a state value non-finite (<paramref name="what"/>
    /// names it). <paramref name="updated"/> holds the new weights only when it returns true.
    /// </summary>
    public bool TryStep(ReadOnlySpan<float> parameters, Span<float> gradients, Span<float> updated, out string? what)
    {
        BeginStep();
        what = StepBlocks(parameters, gradients, updated, default(GradientInPlace), out bool finite) ?? (finite ? null : "the gradient");
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
