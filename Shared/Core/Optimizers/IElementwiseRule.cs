using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// One optimizer's update of the elements at an index, written twice: over a <see cref="Vector{T}"/> of elements
/// and over one element. The scalar form is the reference the vectorised form is tested against.
/// </summary>
internal interface IElementwiseRule
{
    /// <summary>Updates elements [index, index + Vector&lt;float&gt;.Count).</summary>
    void ApplyVector(int index);

    void ApplyScalar(int index);
}
