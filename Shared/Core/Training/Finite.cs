using System.Numerics.Tensors;

namespace DistTrainer.Core.Training;

/// <summary>
/// The one NaN/Inf check of a step's numbers, wherever they are checked (the local trainer's gradient, a
/// shard's result, the parameter server's sum): the largest magnitude is finite exactly when every value is,
/// and TensorPrimitives finds it in one vectorised pass.
/// </summary>
public static class Finite
{
    public static bool All(ReadOnlySpan<float> values) => values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values));
}
