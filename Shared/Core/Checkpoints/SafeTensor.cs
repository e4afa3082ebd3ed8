using System.Buffers.Binary;

namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// One named tensor of a safetensors file: its dtype name (<see cref="SafeTensorDTypes"/>), its shape
/// (empty for a scalar) and its elements as little-endian bytes in row-major order.
/// </summary>
public sealed record SafeTensor(string Name, string DType, int[] Shape, byte[] Data)
{
    public long ElementCount => ElementCountOf(Shape);

    public float[] ToFloats()
    {
        RequireDType(SafeTensorDTypes.F32);
        var values = new float[Data.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan(i * sizeof(float)));
        }

        return values;
    }

    /// <summary>The value of a one-element I64 tensor, such as PyTorch's num_batches_tracked.</summary>
    public long ToInt64()
    {
        RequireDType(SafeTensorDTypes.I64);
        if (ElementCount != 1)
        {
            throw new InvalidInputException($"tensor '{Name}': shape {ShapeText(Shape)} holds {ElementCount} values, expected a scalar");
        }

        return BinaryPrimitives.ReadInt64LittleEndian(Data);
    }

    public static SafeTensor FromFloats(string name, int[] shape, ReadOnlySpan<float> values)
    {
        if (values.Length != ElementCountOf(shape))
        {
            throw new ArgumentException($"tensor '{name}': {values.Length} values do not fill shape {ShapeText(shape)}", nameof(values));
        }

        var data = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * sizeof(float)), values[i]);
        }

        return new SafeTensor(name, SafeTensorDTypes.F32, [.. shape], data);
    }

    public static SafeTensor FromInt64Scalar(string name, long value)
    {
        var data = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(data, value);
        return new SafeTensor(name, SafeTensorDTypes.I64, [], data);
    }

    internal static long ElementCountOf(int[] shape)
    {
        long count = 1;
        foreach (int dimension in shape)
        {
            count = checked(count * dimension);
        }

        return count;
    }

    internal static string ShapeText(int[] shape) => $"[{string.Join(", ", shape)}]";

    private void RequireDType(string expected)
    {
        if (DType != expected)
        {
            throw new InvalidInputException($"tensor '{Name}': dtype {DType}, expected {expected}");
        }
    }
}
