using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>Host memory for <see cref="CpuBackend"/>: a float array pinned for its lifetime, so kernels can use pointers.</summary>
public sealed class CpuArray : DeviceArray
{
    public CpuArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Data = GC.AllocateArray<float>(length, pinned: true);
    }

    public float[] Data { get; }

    public override int Length => Data.Length;

    internal unsafe float* Pointer => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Data));

    public override void Dispose()
    {
    }
}
