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
    public void KnowsTheElementSize(string dtype, int size)
    {
        Assert.True(SafeTensorDTypes.IsKnown(dtype));
        Assert.Equal(size, SafeTensorDTypes.ElementSize(dtype));
    }

    [Fact]
    public void UnknownNamesAreNotDTypes()
    {
        Assert.False(SafeTensorDTypes.IsKnown("F128"));
        Assert.False(SafeTensorDTypes.IsKnown("f32"));
        Assert.Throws<ArgumentException>(() => SafeTensorDTypes.ElementSize("F128"));
    }
}
