using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>AVX2 registers: 8 floats; a tile of 6 rows x 2 registers (12 accumulators) fits its 16 registers.</summary>
internal readonly unsafe struct Simd256(Vector256<float> value) : ISimdFloat<Simd256>
{
    private readonly Vector256<float> _value = value;

    public static int Width => Vector256<float>.Count;

    public static int KernelRows => 6;

    public static Simd256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256 Load(float* source) => new(Vector256.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256 Broadcast(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256 MultiplyAdd(Simd256 a, Simd256 b, Simd256 c) =>
        new(Vector256.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256 Multiply(Simd256 a, Simd256 b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* destination) => _value.Store(destination);
}
