namespace DistTrainer.Core.Compute.Ilgpu;

/// <summary>Which GEMM kernel a backend launches.</summary>
internal enum GemmKernelChoice
{
    /// <summary>Shared-memory tiles on GPUs, one thread per output on ILGPU's CPU accelerator.</summary>
    ByAccelerator,
    OneThreadPerOutput,
    SharedMemoryTiles,
}
