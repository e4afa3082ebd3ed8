using System.Collections.Concurrent;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.Compute;
using DistTrainer.Worker.DataPlane;
using Serilog;
using Xunit;

namespace DistTrainer.Worker.Tests.Compute;

/// <summary>The queue as a plain class: which shard computes with which weights, and when a weights payload is free again.</summary>
public sealed class ShardQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly BlockingCollection<(long Step, int Shard, long Version, float First)> _computed = new();
    private readonly BlockingCollection<(long Step, string Reason)> _failed = new();
    private readonly ConcurrentQueue<float[]> _released = new();
    private readonly ShardQueue _queue;
    private readonly ManualResetEventSlim _proceed = new(true);

    public ShardQueueTests()
    {
        _queue = new ShardQueue([new ComputeThread("test compute")], _released.Enqueue, new LoggerConfiguration().CreateLogger());
        _queue.Open((_, shard, weights) =>
        {
            _proceed.Wait(Wait);
            if (shard.Indices.Length == 0) return "no rows";
            _computed.Add((shard.Step, shard.ShardId, weights.Version, weights.Weights[0]));
            return null;
        }, (shard, reason) => _failed.Add((shard.Step, reason)));
    }

    private static ComputeShard Shard(long step, int shard, int rows = 1) => new(step, 0, shard, 0, new int[rows], rows);

    private static WeightsArrived Weights(long version) => new(version, [version + 0.5f]);

    private (long Step, int Shard, long Version, float First) NextComputed()
    {
        Assert.True(_computed.TryTake(out var computed, Wait), "no shard computed");
        return computed;
    }

    [Fact]
    public async Task A_shard_sent_ahead_starts_when_the_weights_of_its_step_arrive_on_another_thread()
    {
        _queue.Deliver(Weights(0));
        _queue.Assign(Shard(1, 0));
        Assert.False(_computed.TryTake(out _, TimeSpan.FromMilliseconds(200)));

        await Task.Run(() => _queue.Deliver(Weights(1)));

        Assert.Equal((1L, 0, 1L, 1.5f), NextComputed());
    }

    [Fact]
    public void A_shard_for_a_step_already_applied_is_dropped_and_current_shards_pass_one_sent_ahead()
    {
        _queue.Deliver(Weights(2));
        _queue.Assign(Shard(3, 0));
        _queue.Assign(Shard(1, 0));
        _queue.Assign(Shard(2, 1));

        Assert.Equal((2L, 1, 2L, 2.5f), NextComputed());
        _queue.Deliver(Weights(3));
        Assert.Equal((3L, 0, 3L, 3.5f), NextComputed());
        Assert.False(_computed.TryTake(out _, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void Replaced_weights_go_back_to_the_pool_only_once_the_shard_reading_them_is_done()
    {
        var first = Weights(0);
        _proceed.Reset();
        _queue.Deliver(first);
        _queue.Assign(Shard(0, 0));
        _queue.Deliver(Weights(1));
        Thread.Sleep(100);
        Assert.Empty(_released);

        _proceed.Set();
        Assert.Equal((0L, 0, 0L, 0.5f), NextComputed());
        var deadline = DateTime.UtcNow + Wait;
        while (_released.IsEmpty && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.Equal([first.Weights], _released.ToArray());
    }

    [Fact]
    public void A_failed_shard_is_reported_with_its_reason_and_the_next_one_still_computes()
    {
        _queue.Deliver(Weights(0));
        _queue.Assign(Shard(0, 0, rows: 0));
        _queue.Assign(Shard(0, 1));

        Assert.True(_failed.TryTake(out var failed, Wait));
        Assert.Equal((0L, "no rows"), failed);
        Assert.Equal((0L, 1, 0L, 0.5f), NextComputed());
    }

    [Fact]
    public void Weights_delivered_after_the_queue_stopped_go_straight_back_to_the_pool()
    {
        _queue.Stop();
        var late = Weights(4);
        _queue.Deliver(late);
        _queue.Assign(Shard(4, 0));

        Assert.Equal([late.Weights], _released.ToArray());
        Assert.False(_computed.TryTake(out _, TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void With_two_lanes_the_shards_of_one_step_compute_at_the_same_time_and_the_next_step_waits_for_its_weights()
    {
        // Synchronised batch norm: shard 0 cannot finish before shard 1 has started (it waits on its statistics).
        using var bothStarted = new CountdownEvent(2);
        var lanes = new ConcurrentDictionary<int, int>();
        var queue = new ShardQueue([new ComputeThread("lane 0"), new ComputeThread("lane 1")], _released.Enqueue, new LoggerConfiguration().CreateLogger());
        queue.Open((lane, shard, weights) =>
        {
            lanes[shard.ShardId] = lane;
            bothStarted.Signal();
            if (!bothStarted.Wait(Wait)) return "the other shard of the step never started";
            _computed.Add((shard.Step, shard.ShardId, weights.Version, weights.Weights[0]));
            return null;
        }, (shard, reason) => _failed.Add((shard.Step, reason)));

        queue.Deliver(Weights(0));
        queue.Assign(Shard(0, 0));
        queue.Assign(Shard(0, 1));
        queue.Assign(Shard(1, 0));

        var computed = new[] { NextComputed(), NextComputed() }.OrderBy(c => c.Shard).ToArray();
        Assert.Equal([(0L, 0, 0L, 0.5f), (0L, 1, 0L, 0.5f)], computed);
        Assert.Equal([0, 1], lanes.Values.Order());
        Assert.Empty(_failed);
        Assert.False(_computed.TryTake(out _, TimeSpan.FromMilliseconds(200)));
    }
}
