using DistTrainer.Coordinator.Actors;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

public sealed class AppliedStepLogTests
{
    [Fact]
    public void A_run_without_faults_is_one_run_however_long()
    {
        var log = new AppliedStepLog();
        for (long step = 0; step < 1_000_000; step++) log.Add(step);

        Assert.Equal(1, log.Runs);
        Assert.Equal(1_000_000, log.Count);
        Assert.Equal(1_000_000, log.Distinct());
        Assert.Equal(0, log.Min);
        Assert.Equal(999_999, log.Max);
        Assert.Equal(123_456, log[123_456]);
    }

    [Fact]
    public void A_repeat_and_a_gap_are_kept_as_applied_and_counted_apart_from_the_distinct_steps()
    {
        AppliedStepLog log = [5, 6, 7, 7, 8, 10, 11, 3];

        Assert.Equal([5L, 6, 7, 7, 8, 10, 11, 3], log);
        Assert.Equal(8, log.Count);
        Assert.Equal(7, log.Distinct());
        Assert.Equal(3, log.Min);
        Assert.Equal(11, log.Max);
        Assert.Equal(4, log.Runs);
        Assert.Equal(8, log[4]);
        Assert.Equal(3, log[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => log[8]);
    }

    [Fact]
    public void A_later_life_continues_the_run_and_overlapping_steps_count_once_as_distinct()
    {
        AppliedStepLog first = [0, 1, 2];

        var contiguous = first.Then(new AppliedStepLog([3, 4]));
        var overlapping = first.Then([2, 3]);

        Assert.Equal([0L, 1, 2, 3, 4], contiguous);
        Assert.Equal(1, contiguous.Runs);
        Assert.Equal([0L, 1, 2, 2, 3], overlapping);
        Assert.Equal(4, overlapping.Distinct());
        Assert.Equal([0L, 1, 2], first);
    }

    [Fact]
    public void An_empty_log_has_no_first_or_last_step()
    {
        var log = new AppliedStepLog();

        Assert.Empty(log);
        Assert.Null(log.Min);
        Assert.Null(log.Max);
        Assert.Equal(0, log.Distinct());
    }
}
