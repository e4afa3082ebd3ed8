using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>One thread's packing buffers, allocated once and pinned, each aligned to a cache line.</summary>
internal sealed unsafe class GemmWorkspace
{
    private const int MaxKernelRows = 8;
    private const int MaxKernelColumns = 32;
    private const int CacheLineFloats = 16;

    private readonly float[] _storage;

    public GemmWorkspace()
    {
        int packedA = GemmBlocking.Rows * GemmBlocking.Depth;
        int packedB = GemmBlocking.Depth * GemmBlocking.Columns;
        int tile = MaxKernelRows * MaxKernelColumns;
        _storage = GC.AllocateUninitializedArray<float>(packedA + packedB + tile + CacheLineFloats, pinned: true);
        float* start = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        start = (float*)(((nint)start + 63) & ~(nint)63);
        PackedA = start;
        PackedB = PackedA + packedA;
        Tile = PackedB + packedB;
    }

    /// <summary>Up to <see cref="GemmBlocking.Rows"/> x <see cref="GemmBlocking.Depth"/> of op(A).</summary>
    public float* PackedA { get; }

    /// <summary>Up to <see cref="GemmBlocking.Depth"/> x <see cref="GemmBlocking.Columns"/> of op(B).</summary>
    public float* PackedB { get; }

    /// <summary>An edge tile of C, computed here before the valid part is copied out.</summary>
    public float* Tile { get; }
}
