using System.Numerics;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Compute.Cpu;

internal interface IUnaryOperator
{
    float Invoke(float x);
    Vector<float> Invoke(Vector<float> x);
}

internal interface IBinaryOperator
{
    float Invoke(float x, float y);
    Vector<float> Invoke(Vector<float> x, Vector<float> y);
}

internal interface ITernaryOperator
{
    float Invoke(float x, float y, float z);
    Vector<float> Invoke(Vector<float> x, Vector<float> y, Vector<float> z);
}

/// <summary>
/// Element-wise loops over spans: whole registers first, then the scalar form of the same operator
/// for the tail. An operator states each formula twice, once per form, side by side.
/// </summary>
internal static class ElementWise
{
    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> result) where TOp : struct, IUnaryOperator
    {
        RequireLength(x.Length, result.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float rs = ref MemoryMarshal.GetReference(result);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            op.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref rs, (nuint)i);
        for (; i < x.Length; i++) result[i] = op.Invoke(x[i]);
    }

    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> result)
        where TOp : struct, IBinaryOperator
    {
        RequireLength(x.Length, result.Length);
        RequireLength(y.Length, result.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float rs = ref MemoryMarshal.GetReference(result);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            op.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i), Vector.LoadUnsafe(ref ys, (nuint)i)).StoreUnsafe(ref rs, (nuint)i);
        for (; i < x.Length; i++) result[i] = op.Invoke(x[i], y[i]);
    }

    public static void Map<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> result)
        where TOp : struct, ITernaryOperator
    {
        RequireLength(x.Length, result.Length);
        RequireLength(y.Length, result.Length);
        RequireLength(z.Length, result.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float zs = ref MemoryMarshal.GetReference(z);
        ref float rs = ref MemoryMarshal.GetReference(result);
        int i = 0;
        for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            op.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i), Vector.LoadUnsafe(ref ys, (nuint)i), Vector.LoadUnsafe(ref zs, (nuint)i))
                .StoreUnsafe(ref rs, (nuint)i);
        for (; i < x.Length; i++) result[i] = op.Invoke(x[i], y[i], z[i]);
    }

    public static void RequireLength(int actual, int expected)
    {
        if (actual != expected)
            throw new ArgumentException($"length mismatch: {actual} elements where {expected} are expected");
    }
}
