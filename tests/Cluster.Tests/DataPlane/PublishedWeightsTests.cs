using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>The versions of the weights that every send of a version shares, and the next one being written.</summary>
public sealed class PublishedWeightsTests
{
    private readonly PayloadPool _pool = new();

    [Fact]
    public void The_first_version_is_a_copy_that_later_changes_to_the_weights_do_not_reach()
    {
        float[] parameters = [1, 2, 3];
        var published = new PublishedWeights(_pool, parameters);

        parameters[0] = 100;

        Assert.Equal([1f, 2f, 3f], published.Current.Array);
    }

    [Fact]
    public void The_next_version_is_written_in_an_array_of_its_own_and_sent_as_it_is_while_the_one_before_goes_back_to_the_pool()
    {
        var published = new PublishedWeights(_pool, [1, 2, 3]);
        var first = published.Current;

        float[] next = published.Next;
        next.AsSpan().Fill(4);
        Assert.Equal([1f, 2f, 3f], published.Current.Array);
        published.PublishNext();

        Assert.Same(next, published.Current.Array);
        Assert.Equal([4f, 4f, 4f], published.Current.Array);
        Assert.Equal(0, first.Holders);
        Assert.Same(first.Array, _pool.Rent(3));
    }

    [Fact]
    public void The_next_version_is_never_written_into_the_current_one()
    {
        var published = new PublishedWeights(_pool, [1, 2, 3]);

        for (int version = 0; version < 4; version++)
        {
            Assert.NotSame(published.Current.Array, published.Next);
            published.Next.AsSpan().Fill(version);
            published.PublishNext();
            Assert.Equal([version, version, version], published.Current.Array);
        }
    }

    [Fact]
    public void Publishing_without_a_next_version_is_refused()
    {
        var published = new PublishedWeights(_pool, [1, 2, 3]);

        Assert.Throws<InvalidOperationException>(published.PublishNext);
    }
}
