using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Core.Tests.Training;

public sealed class ThinnedStepsTests
{
    private static ThinnedSteps<long> Steps(int capacity, IEnumerable<long> steps)
    {
        var thinned = new ThinnedSteps<long>(step => step, capacity);
        foreach (long step in steps) thinned.Add(step);
        return thinned;
    }

    [Fact]
    public void Every_step_is_kept_while_they_fit()
    {
        var thinned = Steps(8, Enumerable.Range(0, 8).Select(i => (long)i));

        Assert.Equal([0L, 1, 2, 3, 4, 5, 6, 7], thinned);
        Assert.Equal(1, thinned.Stride);
    }

    [Fact]
    public void Past_the_capacity_every_second_step_then_every_fourth_is_kept()
    {
        Assert.Equal([0L, 2, 4, 6, 8], Steps(8, Enumerable.Range(0, 9).Select(i => (long)i)));

        var longer = Steps(8, Enumerable.Range(0, 30).Select(i => (long)i));
        Assert.Equal([0L, 4, 8, 12, 16, 20, 24, 28], longer);
        Assert.Equal(4, longer.Stride);
    }

    [Fact]
    public void A_million_steps_stay_within_the_capacity_and_cover_the_whole_run()
    {
        var thinned = Steps(ThinnedSteps.DefaultCapacity, Enumerable.Range(0, 1_000_000).Select(i => (long)i));

        Assert.InRange(thinned.Count, ThinnedSteps.DefaultCapacity / 2, ThinnedSteps.DefaultCapacity);
        Assert.Equal(0, thinned[0]);
        Assert.True(thinned[^1] > 999_999 - thinned.Stride, $"the last kept step {thinned[^1]} is within a stride of the end");
        Assert.All(thinned, step => Assert.Equal(0, step % thinned.Stride));
    }

    [Fact]
    public void The_steps_kept_follow_the_step_numbers_so_a_resumed_run_keeps_the_same_ones()
    {
        var resumed = Steps(4, Enumerable.Range(5, 10).Select(i => (long)i));

        // 5..8 fit; 9 makes five, so every second step (6, 8); 14 makes five again, so every fourth.
        Assert.Equal([8L, 12], resumed);
        Assert.Equal(4, resumed.Stride);
    }

    [Fact]
    public void A_capacity_below_two_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThinnedSteps<long>(step => step, 1));
    }
}
