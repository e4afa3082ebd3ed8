using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

public class ShardSplitterTests
{
    [Theory]
    [InlineData(1, new[] { 1.0 }, 1)]
    [InlineData(64, new[] { 1.0, 1.0, 1.0 }, 2)]
    [InlineData(97, new[] { 3.5, 0.25, 1.0, 7.0 }, 2)]
    [InlineData(10, new[] { 0.1, 0.2, 0.7 }, 1)]
    [InlineData(1000, new[] { 1e-6, 1.0, 1e6 }, 2)]
    public void Shards_are_contiguous_numbered_in_order_and_cover_the_batch(int rows, double[] weights, int minRows)
    {
        var shards = ShardSplitter.Split(rows, weights, minRows);

        int start = 0;
        for (int i = 0; i < shards.Length; i++)
        {
            Assert.Equal(i, shards[i].Id);
            Assert.Equal(start, shards[i].Start);
            Assert.True(shards[i].Count >= minRows, $"shard {i} has {shards[i].Count} rows");
            start += shards[i].Count;
        }
        Assert.Equal(rows, start);
    }

    [Theory]
    // 12.5 / 25 / 62.5: both halves tie, the first in order takes the spare row.
    [InlineData(100, new[] { 1.0, 2.0, 5.0 }, new[] { 13, 25, 62 })]
    // 3.5 / 2.1 / 1.4: the largest remainder (0.5) takes the spare row.
    [InlineData(7, new[] { 0.5, 0.3, 0.2 }, new[] { 4, 2, 1 })]
    // 0.9999 / 1.9999 / 6.9999 once the weights' sum rounds above 1: every shard takes a spare row.
    [InlineData(10, new[] { 0.1, 0.2, 0.7 }, new[] { 1, 2, 7 })]
    [InlineData(11, new[] { 4.0, 1.0, 1.0 }, new[] { 7, 2, 2 })]
    public void Rows_follow_the_weights_by_largest_remainder(int rows, double[] weights, int[] expected)
    {
        var shards = ShardSplitter.Split(rows, weights, minRows: 1);

        Assert.Equal(expected, shards.Select(s => s.Count));
    }

    [Fact]
    public void Equal_weights_give_shards_that_differ_by_at_most_one_row()
    {
        var shards = ShardSplitter.Split(10, [1, 1, 1, 1], minRows: 1);

        Assert.Equal([3, 3, 2, 2], shards.Select(s => s.Count));
    }

    [Fact]
    public void A_shard_below_the_minimum_takes_rows_from_the_largest()
    {
        // 0.45 / 0.45 / 9.09 rounds to 1 / 0 / 9; batch norm needs 2 rows per shard.
        var shards = ShardSplitter.Split(10, [1, 1, 20], minRows: 2);

        Assert.Equal([new Shard(0, 0, 2), new Shard(1, 2, 2), new Shard(2, 4, 6)], shards);
    }

    [Theory]
    [InlineData(5, 4, 2, new[] { 3, 2 })]
    [InlineData(3, 5, 1, new[] { 1, 1, 1 })]
    [InlineData(7, 4, 2, new[] { 3, 2, 2 })]
    public void More_workers_than_the_rows_allow_give_fewer_shards(int rows, int workers, int minRows, int[] expected)
    {
        var shards = ShardSplitter.Split(rows, Enumerable.Repeat(1.0, workers).ToArray(), minRows);

        Assert.Equal(expected, shards.Select(s => s.Count));
    }

    [Fact]
    public void The_same_inputs_give_the_same_cut()
    {
        double[] weights = [0.37, 1.91, 0.52, 3.3];

        Assert.Equal(ShardSplitter.Split(257, weights, 2), ShardSplitter.Split(257, weights, 2));
    }

    [Theory]
    [InlineData(new[] { 1.0, 0.0 })]
    [InlineData(new[] { -1.0, 1.0 })]
    [InlineData(new[] { 1.0, double.NaN })]
    [InlineData(new[] { double.PositiveInfinity, 1.0 })]
    // Only two shards of 2 rows fit in 4 rows, yet the third worker's weight is still wrong.
    [InlineData(new[] { 1.0, 1.0, double.NaN })]
    public void A_weight_that_is_not_a_positive_finite_number_is_refused(double[] weights)
    {
        var ex = Assert.Throws<ArgumentException>(() => ShardSplitter.Split(4, weights, minRows: 2));

        Assert.Contains("weight", ex.Message);
    }

    [Fact]
    public void No_workers_or_a_batch_below_the_minimum_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ShardSplitter.Split(4, [], minRows: 1));
        var ex = Assert.Throws<ArgumentException>(() => ShardSplitter.Split(1, [1.0], minRows: 2));
        Assert.Contains("1 rows", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSplitter.Split(0, [1.0], minRows: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardSplitter.Split(4, [1.0], minRows: 0));
    }
}
