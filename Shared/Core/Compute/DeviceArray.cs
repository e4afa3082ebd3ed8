namespace DistTrainer.Core.Compute;

/// <summary>
/// A block of float storage owned by one backend (host memory for the CPU backends, device memory
/// for ILGPU). Layers never touch its elements: they hand slices of it to backend operations.
/// </summary>
public abstract class DeviceArray : IDisposable
{
    public abstract int Length { get; }

    /// <summary>The whole array as a slice.</summary>
    public DeviceSlice All => new(this, 0, Length);

    public DeviceSlice Slice(int offset, int length) => new(this, offset, length);

    public abstract void Dispose();
}
