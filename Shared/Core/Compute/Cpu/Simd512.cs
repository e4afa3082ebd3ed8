using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>AVX-512 registers: 16 floats; a tile of 8 rows x 2 registers (16 accumulators) fits its 32 registers.</summary>
internal readonly unsafe struct Simd512(Vector512<float> value) : ISimdFloat<Simd512>
{
    private readonly Vector512<float> _value = value;

    public static int Width => Vector512<float>.Count;

    public static int KernelRows => 8;

    public static Simd512 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512 Load(float* source) => new(Vector512.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512 Broadcast(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512 MultiplyAdd(Simd512 a, Simd512 b, Simd512 c) =>
        new(Vector512.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512 Multiply(Simd512 a, Simd512 b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* destination) => _value.Store(destination);
}
