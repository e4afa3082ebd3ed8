using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Inverted dropout with the mask drawn from <see cref="CounterRng"/>. With AVX-512 the hash runs
/// on 16 indices at a time in 64-bit lanes; with AVX2 alone on 8, its 64-bit products built from 32-bit ones;
/// <see cref="CounterRng.Uniform"/> itself is the scalar form.
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
            ReadOnlySpan<float> xs = x.Slice(r * cols, cols);
            Span<float> ms = mask.Slice(r * cols, cols), ys = y.Slice(r * cols, cols);
            int c = Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported ? Vectorised<Mask512>(first, xs, p, seed, scale, ms, ys)
                : Avx2.IsSupported ? Vectorised<Mask256>(first, xs, p, seed, scale, ms, ys)
                : 0;
            for (; c < cols; c++)
            {
                int i = r * cols + c;
                mask[i] = CounterRng.Uniform(seed, first + c) >= p ? scale : 0;
                y[i] = x[i] * mask[i];
            }
        }
    }

    /// <summary>Fills whole registers of the row and returns how many columns it did.</summary>
    private static int Vectorised<TMask>(long first, ReadOnlySpan<float> x, float p, ulong seed, float scale, Span<float> mask, Span<float> y)
        where TMask : struct, IMaskRegister
    {
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ms = ref MemoryMarshal.GetReference(mask);
        ref float ys = ref MemoryMarshal.GetReference(y);
        int c = 0;
        for (; c <= x.Length - TMask.Floats; c += TMask.Floats)
            TMask.Apply(seed, (ulong)(first + c), p, scale, ref Unsafe.Add(ref xs, c), ref Unsafe.Add(ref ms, c), ref Unsafe.Add(ref ys, c));
        return c;
    }

    /// <summary>One register of the mask: the elements from <c>index</c> on, drawn, kept or dropped, and applied.</summary>
    private interface IMaskRegister
    {
        static abstract int Floats { get; }

        static abstract void Apply(ulong seed, ulong index, float p, float scale, ref float x, ref float mask, ref float y);
    }

    private readonly struct Mask512 : IMaskRegister
    {
        public static int Floats => Vector512<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(ulong seed, ulong index, float p, float scale, ref float x, ref float mask, ref float y)
        {
            var lanes = Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7);
            var low = Uniform(seed, Vector512.Create(index) + lanes);
            var high = Uniform(seed, Vector512.Create(index + 8) + lanes);
            var uniform = Vector512.ConvertToSingle(Vector512.Narrow(low, high).AsInt32()) * (1f / 16777216f);
            var m = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(uniform, Vector512.Create(p)), Vector512.Create(scale), Vector512<float>.Zero);
            m.StoreUnsafe(ref mask);
            (Vector512.LoadUnsafe(ref x) * m).StoreUnsafe(ref y);
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

    private readonly struct Mask256 : IMaskRegister
    {
        public static int Floats => Vector256<float>.Count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Apply(ulong seed, ulong index, float p, float scale, ref float x, ref float mask, ref float y)
        {
            var lanes = Vector256.Create(0UL, 1, 2, 3);
            var low = Uniform(seed, Vector256.Create(index) + lanes);
            var high = Uniform(seed, Vector256.Create(index + 4) + lanes);
            var uniform = Vector256.ConvertToSingle(Vector256.Narrow(low, high).AsInt32()) * (1f / 16777216f);
            var m = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(uniform, Vector256.Create(p)), Vector256.Create(scale), Vector256<float>.Zero);
            m.StoreUnsafe(ref mask);
            (Vector256.LoadUnsafe(ref x) * m).StoreUnsafe(ref y);
        }

        /// <summary>The top 24 bits of <see cref="CounterRng.Uniform"/>'s hash, per 64-bit lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> Uniform(ulong seed, Vector256<ulong> index)
        {
            var z = Vector256.Create(seed) + MultiplyLow(index + Vector256<ulong>.One, 0x9E3779B97F4A7C15UL);
            z = MultiplyLow(z ^ Vector256.ShiftRightLogical(z, 30), 0xBF58476D1CE4E5B9UL);
            z = MultiplyLow(z ^ Vector256.ShiftRightLogical(z, 27), 0x94D049BB133111EBUL);
            z ^= Vector256.ShiftRightLogical(z, 31);
            return Vector256.ShiftRightLogical(z, 40);
        }

        /// <summary>
        /// a x b modulo 2^64 per lane from AVX2's 32 x 32 -> 64-bit products: a.lo b.lo + ((a.hi b.lo + a.lo b.hi) &lt;&lt; 32)
        /// (a.hi b.hi only reaches bits 64 and above). AVX2 has no 64-bit multiply of its own.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<ulong> MultiplyLow(Vector256<ulong> a, ulong b)
        {
            var bLow = Vector256.Create(b & 0xFFFFFFFFUL).AsUInt32();
            var bHigh = Vector256.Create(b >> 32).AsUInt32();
            var cross = Avx2.Multiply(Vector256.ShiftRightLogical(a, 32).AsUInt32(), bLow) + Avx2.Multiply(a.AsUInt32(), bHigh);
            return Avx2.Multiply(a.AsUInt32(), bLow) + Avx2.ShiftLeftLogical(cross, 32);
        }
    }
}
