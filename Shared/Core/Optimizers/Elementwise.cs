using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>Runs an <see cref="IElementwiseRule"/> over a vector, and the unchecked loads its vector form uses.</summary>
internal static class Elementwise
{
    public static void Apply<TRule>(ref TRule rule, int length, ElementwiseMode mode)
        where TRule : IElementwiseRule, allows ref struct
    {
        var index = 0;
        if (mode == ElementwiseMode.Vectorised && Vector.IsHardwareAccelerated)
        {
            for (; index <= length - Vector<float>.Count; index += Vector<float>.Count)
            {
                rule.ApplyVector(index);
            }
        }

        for (; index < length; index++)
        {
            rule.ApplyScalar(index);
        }
    }

    // Unchecked because Apply only passes indices with a whole vector left, and Optimizer makes every span
    // of a step as long as the range it updates.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(ReadOnlySpan<float> source, int index) =>
        Vector.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Span<float> destination, int index, Vector<float> value) =>
        value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)index);
}
