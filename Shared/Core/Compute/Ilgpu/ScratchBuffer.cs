using ILGPU;
using ILGPU.Runtime;

namespace DistTrainer.Core.Compute.Ilgpu;

/// <summary>
/// A device buffer and its host mirror for per-call intermediates (per-row losses), grown when a
/// call needs more and otherwise reused, so that a training step allocates nothing.
/// </summary>
internal sealed class ScratchBuffer(Accelerator accelerator) : IDisposable
{
    private MemoryBuffer1D<float, Stride1D.Dense>? _device;
    private float[] _host = [];

    /// <summary>Elements the device buffer holds now.</summary>
    public long Capacity => _device?.Length ?? 0;

    public ArrayView1D<float, Stride1D.Dense> Device(int length)
    {
        if (_device is null || _device.Length < length)
        {
            // A kernel still queued may read the old buffer.
            accelerator.Synchronize();
            _device?.Dispose();
            _device = accelerator.Allocate1D<float>(length);
        }
        return _device.View.SubView(0, length);
    }

    public Span<float> Host(int length)
    {
        if (_host.Length < length) _host = new float[length];
        return _host.AsSpan(0, length);
    }

    public void Dispose() => _device?.Dispose();
}
