using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class PayloadPoolTests
{
    /// <summary>
    /// Rents <paramref name="count"/> arrays of <paramref name="length"/> floats and returns them, as one step of a run
    /// does; the arrays in the order rented.
    /// </summary>
    private static float[][] Step(PayloadPool pool, int count, int length = 100)
    {
        var arrays = Rent(pool, count, length);
        foreach (var array in arrays) pool.Return(array);
        return arrays;
    }

    private static float[][] Rent(PayloadPool pool, int count, int length) => [.. Enumerable.Range(0, count).Select(_ => pool.Rent(length))];

    [Fact]
    public void A_returned_array_is_rented_again_for_its_exact_length_only()
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
    public void The_pool_keeps_at_most_its_capacity_per_length()
    {
        var pool = new PayloadPool(arraysPerLength: 2, lengthBytes: 0);
        var arrays = Step(pool, 3, length: 16);

        var again = Rent(pool, 3, length: 16);

        Assert.Same(arrays[0], again[0]);
        Assert.Same(arrays[1], again[1]);
        Assert.DoesNotContain(arrays, array => ReferenceEquals(array, again[2]));
    }

    [Fact]
    public void Small_arrays_are_kept_beyond_the_count_up_to_the_bytes_of_one_length()
    {
        // 64-byte arrays: 4 fit in 256 bytes, more than the count of 2; the fifth is left to the collector.
        var pool = new PayloadPool(arraysPerLength: 2, lengthBytes: 256);
        var arrays = Step(pool, 5, length: 16);

        var again = Rent(pool, 5, length: 16);

        for (int i = 0; i < 4; i++) Assert.Same(arrays[i], again[i]);
        Assert.DoesNotContain(arrays, array => ReferenceEquals(array, again[4]));
        Assert.Equal(6L * 16 * sizeof(float), pool.AllocatedBytes);
    }

    [Fact]
    public void Length_zero_is_the_shared_empty_array()
    {
        var pool = new PayloadPool();

        Assert.Same(Array.Empty<float>(), pool.Rent(0));
    }

    [Fact]
    public void The_pool_keeps_free_arrays_up_to_its_byte_capacity_and_leaves_the_rest_to_the_collector()
    {
        var pool = new PayloadPool(capacityBytes: 10_000);
        var arrays = Step(pool, 3, length: 1000);

        Assert.Equal(8_000, pool.PooledBytes);
        Assert.Same(arrays[0], pool.Rent(1000));
        Assert.Same(arrays[1], pool.Rent(1000));
        Assert.Equal(0, pool.PooledBytes);
        Assert.DoesNotContain(arrays, array => ReferenceEquals(array, pool.Rent(1000)));
    }

    [Fact]
    public void Only_arrays_the_pool_had_no_free_one_for_count_as_allocated()
    {
        var pool = new PayloadPool(capacityBytes: 1 << 20);
        var first = pool.Rent(256);
        pool.Return(first);
        pool.Rent(256);
        pool.Rent(256);

        Assert.Equal(2 * 256 * sizeof(float), pool.AllocatedBytes);
    }

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    [Fact]
    public void Free_arrays_no_step_needed_over_a_whole_period_are_released_and_what_a_step_needs_is_kept()
    {
        var time = new ManualTime();
        var pool = new PayloadPool(idleRelease: Period, time: time);
        Step(pool, 10); // a burst: ten in flight at once
        Step(pool, 2);

        time.Advance(Period);
        Step(pool, 2); // the first period ends: the burst began inside it, so none of it counts as idle yet
        Assert.Equal(10 * 100 * sizeof(float), pool.PooledBytes);
        time.Advance(Period);
        Step(pool, 2); // a whole period needing two: the other eight go

        Assert.Equal(2 * 100 * sizeof(float), pool.PooledBytes);
        Step(pool, 2); // what a step needs is still there: nothing new is allocated
        Assert.Equal(10 * 100 * sizeof(float), pool.AllocatedBytes);
    }

    [Fact]
    public void A_pool_in_steady_use_keeps_what_each_step_needs_period_after_period()
    {
        var time = new ManualTime();
        var pool = new PayloadPool(idleRelease: Period, time: time);
        Step(pool, 3);

        for (int period = 0; period < 5; period++)
        {
            time.Advance(Period);
            Step(pool, 3);
        }

        Assert.Equal(3 * 100 * sizeof(float), pool.PooledBytes);
        Assert.Equal(3 * 100 * sizeof(float), pool.AllocatedBytes);
    }
}
