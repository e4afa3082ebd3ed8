using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class PayloadPoolTests
{
    [Fact]
    public void AReturnedArrayIsRentedAgainForItsExactLengthOnly()
    {
        var pool = new PayloadPool();
        var first = pool.Rent(1000);
        pool.Return(first);

        var otherLength = pool.Rent(999);
        var sameLength = pool.Rent(1000);

        Assert.Equal(1000, first.Length);
        Assert.Equal(999, otherLength.Length);
        Assert.Same(first, sameLength);
        Assert.NotSame(first, pool.Rent(1000));
    }

    [Fact]
    public void ThePoolKeepsAtMostItsCapacityPerLength()
    {
        var pool = new PayloadPool(arraysPerLength: 2);
        var arrays = Enumerable.Range(0, 3).Select(_ => pool.Rent(16)).ToArray();
        foreach (var array in arrays) pool.Return(array);

        var again = Enumerable.Range(0, 3).Select(_ => pool.Rent(16)).ToArray();

        Assert.Same(arrays[0], again[0]);
        Assert.Same(arrays[1], again[1]);
        Assert.DoesNotContain(arrays, array => ReferenceEquals(array, again[2]));
    }

    [Fact]
    public void LengthZeroIsTheSharedEmptyArray()
    {
        var pool = new PayloadPool();

        Assert.Same(Array.Empty<float>(), pool.Rent(0));
    }
}
