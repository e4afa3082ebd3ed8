namespace DistTrainer.Core.Compute;

/// <summary>
/// A contiguous range of a <see cref="DeviceArray"/>. Matrices are row-major: a [rows, cols]
/// matrix occupies rows * cols consecutive elements.
/// </summary>
public readonly record struct DeviceSlice
{
    public DeviceSlice(DeviceArray array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (offset < 0 || length < 0 || (long)offset + length > array.Length)
            throw new ArgumentOutOfRangeException(nameof(length),
                $"slice [{offset}, {offset + length}) does not fit in an array of {array.Length}");
        Array = array;
        Offset = offset;
        Length = length;
    }

    public DeviceArray Array { get; }
    public int Offset { get; }
    public int Length { get; }

    public DeviceSlice Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(length),
                $"sub-slice [{offset}, {offset + length}) does not fit in a slice of {Length}");
        return new DeviceSlice(Array, Offset + offset, length);
    }

    /// <summary>The first <paramref name="length"/> elements.</summary>
    public DeviceSlice Take(int length) => Slice(0, length);
}
