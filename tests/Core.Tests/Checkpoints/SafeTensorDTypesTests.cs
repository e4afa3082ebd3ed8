using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Core.Tests.Checkpoints;

public sealed class SafeTensorDTypesTests
{
    [Theory]
    [InlineData("F32", 4)]
    [InlineData("F64", 8)]
    [InlineData("I32", 4)]
    [InlineData("I64", 8)]
    [InlineData("BF16", 2)]
    [InlineData("BOOL", 1)]
    public void Knows_the_element_size(string dtype, int size)
    {
        Assert.True(SafeTensorDTypes.IsKnown(dtype));
        Assert.Equal(size, SafeTensorDTypes.ElementSize(dtype));
    }

    [Fact]
    public void Unknown_names_are_not_dtypes()
    {
        Assert.False(SafeTensorDTypes.IsKnown("F128"));
        Assert.False(SafeTensorDTypes.IsKnown("f32"));
        Assert.Throws<ArgumentException>(() => SafeTensorDTypes.ElementSize("F128"));
    }
}
