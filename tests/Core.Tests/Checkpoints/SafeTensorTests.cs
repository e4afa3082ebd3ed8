using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Core.Tests.Checkpoints;

public sealed class SafeTensorTests
{
    [Fact]
    public void Floats_are_stored_as_little_endian_f32()
    {
        SafeTensor tensor = SafeTensor.FromFloats("w", [2], [1f, -2f]);

        Assert.Equal(("w", "F32"), (tensor.Name, tensor.DType));
        Assert.Equal([2], tensor.Shape);
        Assert.Equal([0, 0, 128, 63, 0, 0, 0, 192], tensor.Data);
    }

    [Fact]
    public void Floats_round_trip_bit_for_bit()
    {
        float[] values = [0.1f, -0f, float.Epsilon, float.MaxValue, float.NegativeInfinity, 3.5e-20f];

        float[] back = SafeTensor.FromFloats("w", [3, 2], values).ToFloats();

        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), back.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void From_floats_rejects_values_that_do_not_fill_the_shape()
    {
        Assert.Throws<ArgumentException>(() => SafeTensor.FromFloats("w", [2, 2], [1f, 2f, 3f]));
    }

    [Fact]
    public void Int_64_scalar_has_an_empty_shape()
    {
        SafeTensor tensor = SafeTensor.FromInt64Scalar("1.num_batches_tracked", -3);

        Assert.Equal(("I64", 0, 1L), (tensor.DType, tensor.Shape.Length, tensor.ElementCount));
        Assert.Equal([253, 255, 255, 255, 255, 255, 255, 255], tensor.Data);
        Assert.Equal(-3, tensor.ToInt64());
    }

    [Fact]
    public void Reading_as_the_wrong_type_names_the_tensor()
    {
        var asFloats = Assert.Throws<InvalidInputException>(() => SafeTensor.FromInt64Scalar("n", 1).ToFloats());
        var asInt64 = Assert.Throws<InvalidInputException>(() => SafeTensor.FromFloats("w", [1], [1f]).ToInt64());
        var notScalar = Assert.Throws<InvalidInputException>(() => new SafeTensor("v", "I64", [2], new byte[16]).ToInt64());

        Assert.Equal("tensor 'n': dtype I64, expected F32", asFloats.Message);
        Assert.Equal("tensor 'w': dtype F32, expected I64", asInt64.Message);
        Assert.Equal("tensor 'v': shape [2] holds 2 values, expected a scalar", notScalar.Message);
    }
}
