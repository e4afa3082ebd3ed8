using DistTrainer.Core.Compute;

namespace DistTrainer;

/// <summary>
/// A float32 tensor of rows: a shape and its elements, row-major, like torch.Tensor of dtype float32. A tensor
/// made here holds its array without copying it. A model's output is a view of the model's own output buffer: it
/// stays valid until the model's next <see cref="Nn.Sequential.Forward"/>, and its elements are read from the
/// backend only when asked for (<see cref="ToArray"/>), so a loss computed on it never leaves the device.
/// </summary>
public sealed class Tensor
{
    private readonly float[]? _data;
    private readonly Nn.Sequential? _producer;
    private readonly long _version;

    /// <summary>A tensor over <paramref name="data"/> (not copied), whose element count the shape must match.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        Shape = CheckShape(shape, data.Length);
        _data = data;
    }

    internal Tensor(Nn.Sequential producer, DeviceSlice device, int rows, int columns, long version)
    {
        Shape = [rows, columns];
        _producer = producer;
        Device = device;
        _version = version;
    }

    /// <summary>The size of each dimension, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>The first dimension: the rows of a batch (1 for a scalar).</summary>
    public int Rows => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>The elements per row: the product of every dimension but the first.</summary>
    public int Columns => Shape.Length < 2 ? 1 : Shape[1..].Aggregate(1, (a, b) => a * b);

    /// <summary>The number of elements.</summary>
    public int Count => Rows * Columns;

    /// <summary>Where a model's output lives on its backend; null for a tensor made from an array.</summary>
    internal DeviceSlice? Device { get; }

    /// <summary>The elements in row-major order: the array itself for a tensor made from one, a fresh copy of a model's output.</summary>
    public float[] ToArray()
    {
        if (_data is not null) return _data;
        var values = new float[Count];
        Download(values);
        return values;
    }

    /// <summary>The element at (row, column) of a two-dimensional tensor; for look-ups, not for loops over a model's output.</summary>
    public float this[int row, int column] => ToArray()[row * Columns + column];

    /// <summary>Writes the elements into <paramref name="destination"/>, which holds exactly <see cref="Count"/> floats.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length != Count)
            throw new ArgumentException($"{destination.Length} floats for a tensor of {Count}", nameof(destination));
        if (_data is not null) _data.CopyTo(destination);
        else Download(destination);
    }

    /// <summary>The host elements of a tensor made from an array (a model's output has none on the host).</summary>
    internal ReadOnlySpan<float> HostSpan => _data ?? throw new InvalidOperationException("a model's output lives on its backend");

    /// <summary>The model whose output this is, still valid; throws when a later forward pass overwrote it.</summary>
    internal Nn.Sequential? Producer
    {
        get
        {
            if (_producer is not null && _producer.ForwardCount != _version)
                throw new InvalidOperationException(
                    "this output was overwritten by a later Forward of its model; use each output before the next Forward");
            return _producer;
        }
    }

    private void Download(Span<float> destination)
    {
        var producer = Producer!;
        producer.Core.Backend.Download(Device!.Value, destination);
    }

    private static int[] CheckShape(int[] shape, int length)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
            count *= dimension;
        }
        if (count != length)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] holds {count} elements, the data {length}", nameof(shape));
        return [.. shape];
    }
}
