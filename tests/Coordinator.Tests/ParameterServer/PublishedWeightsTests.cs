using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>The pooled copies of the weights that every send of a version shares.</summary>
public sealed class PublishedWeightsTests
{
    private readonly PayloadPool _pool = new();

    [Fact]
    public void A_published_version_is_a_copy_that_later_changes_to_the_weights_do_not_reach()
    {
        float[] parameters = [1, 2, 3];
        var published = new PublishedWeights(_pool, parameters);

        parameters[0] = 100;

        Assert.Equal([1f, 2f, 3f], published.Current.Array);
    }

    [Fact]
    public void Publishing_a_version_returns_the_copy_of_the_one_before_to_the_pool()
    {
        var published = new PublishedWeights(_pool, [1, 2, 3]);
        var first = published.Current;

        published.Publish([4, 5, 6]);

        Assert.Equal([4f, 5f, 6f], published.Current.Array);
        Assert.NotSame(first.Array, published.Current.Array);
        Assert.Equal(0, first.Holders);
        Assert.Same(first.Array, _pool.Rent(3));
    }
}
