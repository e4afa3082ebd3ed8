using ILGPU;
using ILGPU.Runtime;

namespace DistTrainer.Core.Compute.Ilgpu;

/// <summary>Floats in one accelerator's memory; a slice of it is a sub-view of the buffer.</summary>
public sealed class IlgpuArray : DeviceArray
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _buffer;

    internal IlgpuArray(Accelerator accelerator, int length)
    {
        Accelerator = accelerator;
        _buffer = accelerator.Allocate1D<float>(length);
        _buffer.MemSetToZero();
    }

    internal Accelerator Accelerator { get; }

    public override int Length => (int)_buffer.Length;

    internal ArrayView1D<float, Stride1D.Dense> View(int offset, int length) => _buffer.View.SubView(offset, length);

    public override void Dispose() => _buffer.Dispose();
}
