using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Scheduling;

/// <summary>
/// A job of logical shards: the scheduler cuts every batch into the same shards whoever is ready, gives each to one
/// worker, and a step's summed gradient has the same bits whichever workers computed its shards.
/// </summary>
public sealed class LogicalShardTests
{
    private static readonly ShardPayloadLayout Layout = new(3, []);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void The_plan_cuts_the_jobs_shards_whatever_the_ready_count(int ready)
    {
        var dispatch = Assert.Single(Schedulers.Create(logicalShards: 4).Start(2, Schedulers.Workers(Throughputs(ready)), lookAhead: 0));

        Assert.Equal([new Shard(0, 0, 3), new Shard(1, 3, 3), new Shard(2, 6, 2), new Shard(3, 8, 2)], dispatch.Begin.Shards);
        Assert.Equal([0, 1, 2, 3], dispatch.Shards.Select(a => a.Shard.ShardId).Order());
        Assert.Equal(Enumerable.Range(20, 10), dispatch.Shards.OrderBy(a => a.Shard.ShardId).SelectMany(a => a.Shard.Indices));
        Assert.Equal(dispatch.Shards.OrderBy(a => a.Shard.ShardId).Select(a => a.Worker.Id), dispatch.Begin.AssignedTo);
        Assert.Equal(Math.Min(4, ready), dispatch.Begin.AssignedTo.Distinct().Count());
    }

    [Fact]
    public void Throughput_decides_how_many_shards_a_worker_computes_not_their_rows()
    {
        var dispatch = Assert.Single(Schedulers.Create(logicalShards: 4).Start(0, Schedulers.Workers(10, 30), lookAhead: 0));

        Assert.Equal(["w1", "w2", "w2", "w2"], dispatch.Begin.AssignedTo);
        Assert.All(dispatch.Begin.Shards, s => Assert.InRange(s.Count, 2, 3));
    }

    [Fact]
    public void With_batch_norm_a_batch_too_small_for_every_shard_gets_fewer_shards_of_two_rows_each_whoever_is_ready()
    {
        var one = Assert.Single(Schedulers.Create(logicalShards: 8, batchNorm: true).Start(0, Schedulers.Workers(1), lookAhead: 0));
        var three = Assert.Single(Schedulers.Create(logicalShards: 8, batchNorm: true).Start(0, Schedulers.Workers(1, 1, 1), lookAhead: 0));

        Assert.Equal(5, one.Begin.Shards.Length);
        Assert.All(one.Begin.Shards, s => Assert.Equal(2, s.Count));
        Assert.Equal(one.Begin.Shards, three.Begin.Shards);
    }

    [Fact]
    public void A_lost_workers_shard_keeps_its_rows_on_the_worker_it_goes_to()
    {
        var scheduler = Schedulers.Create(logicalShards: 2);
        var workers = Schedulers.Workers(1, 1);
        var sent = scheduler.Start(0, workers, lookAhead: 0)[0].Shards[1].Shard;

        var moved = Assert.IsType<RetryDecision.Reassign>(scheduler.Retry(0, 0, 1, "w2", "its worker was lost", workers.Take(1).ToList()));

        Assert.Equal("w1", moved.Assignment.Worker.Id);
        Assert.Equal((sent.ShardId, sent.RowOffset), (moved.Assignment.Shard.ShardId, moved.Assignment.Shard.RowOffset));
        Assert.Equal(sent.Indices, moved.Assignment.Shard.Indices);
        Assert.Equal(["w1", "w1"], scheduler.Current!.AssignedTo);
    }

    [Fact]
    public void A_steps_summed_gradient_has_the_same_bits_whichever_workers_computed_its_shards()
    {
        var alone = Summed(Schedulers.Workers(1));
        var pair = Summed(Schedulers.Workers(1, 3));
        var four = Summed(Schedulers.Workers(4, 3, 2, 1));

        Assert.Equal(alone.Select(BitConverter.SingleToInt32Bits), pair.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(alone.Select(BitConverter.SingleToInt32Bits), four.Select(BitConverter.SingleToInt32Bits));
    }

    private static double[] Throughputs(int ready) => Enumerable.Range(1, ready).Select(w => (double)w).ToArray();

    /// <summary>
    /// Plans step 0 in 4 logical shards over <paramref name="workers"/>, computes each shard's gradient from its rows
    /// (values far apart in size, so that the order of the additions shows in the bits), and offers the results worker
    /// by worker, the last worker first, as they might arrive.
    /// </summary>
    private static float[] Summed(List<WorkerEntry> workers)
    {
        var dispatch = Assert.Single(Schedulers.Create(ShardSizing.Throughput, shuffle: true, logicalShards: 4).Start(0, workers, lookAhead: 0));
        var aggregator = new StepAggregator(Layout);
        aggregator.Begin(0, 0, dispatch.Begin.Shards);
        foreach (var assignment in dispatch.Shards.OrderByDescending(a => a.Worker.Id).ThenByDescending(a => a.Shard.ShardId))
        {
            var shard = assignment.Shard;
            float[] gradient = [.. Enumerable.Range(0, 3).Select(j => (j % 2 == 0 ? 1 : -1) * MathF.Pow(10, (shard.Indices[0] + 3 * j) % 9 - 4))];
            var verdict = aggregator.Offer(new ShardResult(0, 0, shard.ShardId, shard.Indices.Length, 1, 0, gradient), out var reason);
            Assert.True(verdict == ShardVerdict.Accepted, reason);
        }
        var sum = new float[Layout.Length];
        aggregator.SumGradients(sum);
        return sum;
    }
}
