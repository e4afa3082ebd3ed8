namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// The edge of a square GEMM tile, as a type: the kernel is compiled once per tile size, so the
/// shared-memory extent and the inner loop bound are constants the compiler can unroll.
/// </summary>
internal interface ITileSize
{
    int Size { get; }
}

/// <summary>16 x 16 = 256 threads per group: for GPUs.</summary>
internal readonly struct Tile16 : ITileSize
{
    public int Size => 16;
}

/// <summary>4 x 4 = 16 threads per group: fits ILGPU's CPU accelerator, whose groups hold at most 16 threads.</summary>
internal readonly struct Tile4 : ITileSize
{
    public int Size => 4;
}
