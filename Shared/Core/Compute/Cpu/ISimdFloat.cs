namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// One SIMD register of floats, as the GEMM micro-kernel needs it. The kernel is generic over
/// this interface so that a single source serves every register width: the JIT specialises it
/// per struct and keeps the accumulators in registers.
/// </summary>
internal unsafe interface ISimdFloat<TSelf> where TSelf : struct, ISimdFloat<TSelf>
{
    /// <summary>Floats per register.</summary>
    static abstract int Width { get; }

    /// <summary>
    /// Rows of the micro-kernel's tile: two accumulators per row, plus two B vectors and a
    /// broadcast, must fit the register file (32 registers with AVX-512, 16 otherwise).
    /// </summary>
    static abstract int KernelRows { get; }

    static abstract TSelf Zero { get; }

    static abstract TSelf Load(float* source);

    static abstract TSelf Broadcast(float value);

    /// <summary>a * b + c with a single rounding.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Multiply(TSelf a, TSelf b);

    void Store(float* destination);
}
