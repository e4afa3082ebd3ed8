using System.Runtime.Intrinsics;

namespace DistTrainer.Shared.Compute.Cpu;

/// <summary>The register width the GEMM kernels are instantiated for.</summary>
internal enum SimdWidth
{
    Bits128,
    Bits256,
    Bits512,
}

internal static class SimdWidths
{
    /// <summary>The widest width this machine accelerates, chosen once at startup.</summary>
    public static SimdWidth Best { get; } =
        Simd512.IsHardwareAccelerated ? SimdWidth.Bits512
        : Simd256.IsHardwareAccelerated ? SimdWidth.Bits256
        : SimdWidth.Bits128;

    public static bool IsAccelerated(SimdWidth width) => width switch
    {
        SimdWidth.Bits512 => Vector512.IsHardwareAccelerated,
        SimdWidth.Bits256 => Vector256.IsHardwareAccelerated,
        _ => Vector128.IsHardwareAccelerated,
    };
}
