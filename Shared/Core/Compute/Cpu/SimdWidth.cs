using System.Runtime.Intrinsics;

namespace DistTrainer.Core.Compute.Cpu;

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
        Vector512.IsHardwareAccelerated ? SimdWidth.Bits512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Bits256
        : SimdWidth.Bits128;
}
