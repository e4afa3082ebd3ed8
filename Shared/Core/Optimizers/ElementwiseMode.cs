namespace DistTrainer.Core.Optimizers;

/// <summary>How an update rule walks the vector: SIMD with a scalar tail, or the plain scalar reference.</summary>
internal enum ElementwiseMode
{
    Vectorised,
    Scalar,
}
