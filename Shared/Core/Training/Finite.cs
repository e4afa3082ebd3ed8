using System.Numerics;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Training;

/// <summary>
/// The one NaN/Inf check of a step's numbers, wherever they are checked (the local trainer's gradient, a
/// shard's result, the parameter server's sum and its guarded step). A float is NaN or infinite exactly when its
/// exponent bits are all ones, so the check is an AND and a compare per lane, OR-ed over the span: one pass at
/// memory speed. The parameter server checks about six model-sized vectors a step; finding the largest magnitude
/// instead (TensorPrimitives.MaxMagnitude, which must order NaNs) was, in a profile of the embedded default, more
/// of its thread's time than the optimizer's own step.
/// </summary>
public static class Finite
{
    private const uint ExponentBits = 0x7F80_0000;

    public static bool All(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<uint>>(values);
        var exponent = new Vector<uint>(ExponentBits);
        var nonFinite = Vector<uint>.Zero;
        foreach (var vector in vectors) nonFinite |= Vector.Equals(vector & exponent, exponent);
        return nonFinite == Vector<uint>.Zero && AllScalar(values[(vectors.Length * Vector<uint>.Count)..]);
    }

    /// <summary>The scalar reference of <see cref="All"/> (and its tail).</summary>
    public static bool AllScalar(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            if (!float.IsFinite(value)) return false;
        }
        return true;
    }
}
