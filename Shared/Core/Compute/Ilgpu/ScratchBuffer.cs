using ILGPU;
using ILGPU.Runtime;

namespace DistTrainer.Core.Compute.Ilgpu;

/// <summary>
/// A device buffer and its host mirror for per-call intermediates (per-row losses), grown when a
/// call needs more and otherwise reused, so that a training step allocates nothing.
/// </summary>
internal sealed class ScratchBuffer(Accelerator accelerator) : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense>? device;
    private float[] host = [];

    /// <summary>Elements the device buffer holds now.</summary>
    public long Capacity => device?.Length ?? 0;

    public ArrayView1D<float, Stride1D.Dense> Device(int length)
    {
        if (device is null || device.Length < length)
        {
            // A kernel still queued may read the old buffer.
            accelerator.Synchronize();
            device?.Dispose();
            device = accelerator.Allocate1D<float>(length);
        }
        return device.View.SubView(0, length);
    }

    public Span<float> Host(int length)
    {
        if (host.Length < length) host = new float[length];
        return host.AsSpan(0, length);
    }

    public void Dispose() => device?.Dispose();
}
