using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Inverted dropout with the mask drawn from <see cref="CounterRng"/>. With AVX-512 the hash runs
/// on 16 indices at a time in 64-bit lanes; <see cref="CounterRng.Uniform"/> itself is the scalar form.
/// </summary>
internal static class CpuDropout
{
    public static void Forward(ReadOnlySpan<float> x, int rows, int cols, int rowOffset, float p, ulong seed,
        Span<float> mask, Span<float> y)
    {
        ElementWise.RequireLength(x.Length, mask.Length);
        ElementWise.RequireLength(x.Length, y.Length);
        float scale = p >= 1 ? 0 : (float)(1.0 / (1 - p));
        for (int r = 0; r < rows; r++)
        {
            long first = (long)(rowOffset + r) * cols;
            int c = Vectorised(first, x.Slice(r * cols, cols), p, seed, scale, mask.Slice(r * cols, cols), y.Slice(r * cols, cols));
            for (; c < cols; c++)
            {
                int i = r * cols + c;
                mask[i] = CounterRng.Uniform(seed, first + c) >= p ? scale : 0;
                y[i] = x[i] * mask[i];
            }
        }
    }

    /// <summary>Fills whole registers of the row and returns how many columns it did (0 without AVX-512).</summary>
    private static int Vectorised(long first, ReadOnlySpan<float> x, float p, ulong seed, float scale, Span<float> mask, Span<float> y)
    {
        if (!Vector512.IsHardwareAccelerated || !Avx512DQ.IsSupported) return 0;
        var lanes = Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7).AsUInt64();
        var threshold = Vector512.Create(p);
        var kept = Vector512.Create(scale);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ms = ref MemoryMarshal.GetReference(mask);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int c = 0;
        for (; c <= x.Length - Vector512<float>.Count; c += Vector512<float>.Count)
        {
            var low = Uniform(seed, Vector512.Create((ulong)(first + c)) + lanes);
            var high = Uniform(seed, Vector512.Create((ulong)(first + c + 8)) + lanes);
            var uniform = Vector512.ConvertToSingle(Vector512.Narrow(low, high).AsInt32()) * (1f / 16777216f);
            var m = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(uniform, threshold), kept, Vector512<float>.Zero);
            m.StoreUnsafe(ref ms, (nuint)c);
            (Vector512.LoadUnsafe(ref xs, (nuint)c) * m).StoreUnsafe(ref ys, (nuint)c);
        }
        return c;
    }

    /// <summary>The top 24 bits of <see cref="CounterRng.Uniform"/>'s hash, per 64-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Uniform(ulong seed, Vector512<ulong> index)
    {
        var z = Vector512.Create(seed) + (index + Vector512<ulong>.One) * 0x9E3779B97F4A7C15UL;
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * 0x94D049BB133111EBUL;
        z ^= Vector512.ShiftRightLogical(z, 31);
        return Vector512.ShiftRightLogical(z, 40);
    }
}
