using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// One optimizer's update of the elements at an index, written twice: over a <see cref="Vector{T}"/> of elements
/// and over one element. The scalar form is the reference the vectorised form is tested against.
/// Implementations mark both methods AggressiveInlining so that they run inside <see cref="Elementwise.Apply{TRule}"/>'s
/// loop, which is compiled optimised at its first call: a method without a loop starts as unoptimised tier-0 code, and
/// called once per vector it kept the parameter server's Adam step at 5 ms instead of 1 ms for the run's first ~200 steps.
/// </summary>
internal interface IElementwiseRule
{
    /// <summary>Updates elements [index, index + Vector&lt;float&gt;.Count).</summary>
    void ApplyVector(int index);

    void ApplyScalar(int index);
}
