using DistTrainer.Coordinator.Scheduling;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Scheduling;

public sealed class ShardOwnersTests
{
    [Fact]
    public void Equal_workers_take_contiguous_equal_runs_of_shards_the_first_taking_the_rounding_one()
    {
        Assert.Equal([0, 0, 0, 1, 1, 2, 2], ShardOwners.Assign(7, [1, 1, 1]));
    }

    [Fact]
    public void A_faster_worker_takes_more_shards_in_proportion_to_its_throughput()
    {
        Assert.Equal([0, 1, 1, 1, 2, 2, 2, 2], ShardOwners.Assign(8, [10, 30, 40]));
    }

    [Fact]
    public void A_slow_worker_still_takes_one_shard_when_there_are_enough()
    {
        Assert.Equal([0, 1, 1, 1], ShardOwners.Assign(4, [1, 1000]));
    }

    [Fact]
    public void With_more_workers_than_shards_the_fastest_take_one_each_in_worker_order()
    {
        Assert.Equal([1, 3], ShardOwners.Assign(2, [5, 20, 5, 30]));
        Assert.Equal([0, 1], ShardOwners.Assign(2, [1, 1, 1]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(4, 3)]
    [InlineData(5, 5)]
    [InlineData(16, 3)]
    public void Every_shard_has_exactly_one_owner_and_no_ready_worker_idles_while_shards_remain(int shards, int workers)
    {
        var weights = Enumerable.Range(1, workers).Select(w => (double)w * w).ToArray();

        var owners = ShardOwners.Assign(shards, weights);

        Assert.Equal(shards, owners.Length);
        Assert.All(owners, o => Assert.InRange(o, 0, workers - 1));
        Assert.Equal(Math.Min(shards, workers), owners.Distinct().Count());
        Assert.Equal(owners.Order(), owners);
    }
}
