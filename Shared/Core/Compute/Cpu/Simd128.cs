using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>SSE or NEON registers: 4 floats; the fallback where nothing wider is accelerated.</summary>
internal readonly unsafe struct Simd128(Vector128<float> value) : ISimdFloat<Simd128>
{
    private readonly Vector128<float> _value = value;

    public static int Width => Vector128<float>.Count;

    public static int KernelRows => 6;

    public static Simd128 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128 Load(float* source) => new(Vector128.Load(source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128 Broadcast(float value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128 MultiplyAdd(Simd128 a, Simd128 b, Simd128 c) =>
        new(Vector128.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128 Multiply(Simd128 a, Simd128 b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(float* destination) => _value.Store(destination);
}
