using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>A run trained by one coordinator node and then a fresh one: one report, every count over both.</summary>
public sealed class DistributedRunReportTests
{
    private static EpochReport Epoch(int epoch, long step) => new(epoch, step, 0.5, 0.8, null, null, 1000, 1);

    [Fact]
    public void A_report_then_a_later_one_counts_both_and_ends_as_the_later_one()
    {
        var first = new DistributedRunReport(
            new TrainingResult([Epoch(1, 10)], 15, 3, 1000, null, FailureKind: FailureKind.Cluster),
            new AggregationCounts(1, 2, 3, 4), 5, 6, ["w0"], new Dictionary<string, long> { ["w0"] = 10, ["w1"] = 5 },
            [0, 1, 2], new StepTimes(2, 1, 0.5, 0.25), new DataPlaneTraffic(100, 200), ["w1"]);
        var later = new DistributedRunReport(
            new TrainingResult([Epoch(2, 20)], 20, 2, 4000, null),
            new AggregationCounts(10, 20, 30, 40), 50, 60, ["w1"], new Dictionary<string, long> { ["w1"] = 7, ["w2"] = 1 },
            [3, 4], new StepTimes(6, 2, 1, 0.5), new DataPlaneTraffic(1000, 2000), ["w1", "w2"]);

        var both = first.Then(later);

        Assert.Equal([1, 2], both.Result.Epochs.Select(e => e.Epoch));
        Assert.Equal(20, both.Result.Steps);
        Assert.Equal(5, both.Result.Seconds);
        // 2 s at 1,000 samples/s and 6 s at 4,000: 26,000 samples in 8 s.
        Assert.Equal(3250, both.Result.SamplesPerSecond, 9);
        Assert.Equal(FailureKind.NotFinite, both.Result.FailureKind);
        Assert.Equal(new AggregationCounts(11, 22, 33, 44), both.Dropped);
        Assert.Equal(55, both.ShardsReassigned);
        Assert.Equal(66, both.StepRestarts);
        Assert.Equal(["w0", "w1"], both.WorkersLost);
        Assert.Equal(new Dictionary<string, long> { ["w0"] = 10, ["w1"] = 12, ["w2"] = 1 }, both.ShardsPerWorker);
        Assert.Equal([0L, 1, 2, 3, 4], both.AppliedSteps);
        Assert.Equal(new StepTimes(8, 3, 1.5, 0.75), both.Times);
        Assert.Equal(new DataPlaneTraffic(1100, 2200), both.Traffic);
        Assert.Equal(["w1", "w2"], both.WorkersQuarantined);
    }

    private static DistributedRunReport Counted(params long[] steps) => new(
        new TrainingResult([], steps.Length, 1, 1000, null, FailureKind: FailureKind.Cluster), new AggregationCounts(0, 0, 0, 0), 0, 0, [],
        new Dictionary<string, long>(), new AppliedStepLog(steps), new StepTimes(1, 0, 0, 0), new DataPlaneTraffic(0, 0), []);

    [Fact]
    public void A_rollback_takes_back_the_steps_applied_from_its_state_on_and_the_epochs_that_ended_after_it()
    {
        var counted = Counted(0, 1, 2, 3, 4, 5, 6) with
        {
            Result = new TrainingResult([Epoch(1, 3), Epoch(2, 6)], 7, 1, 1000, "key range 1's server was lost"),
        };

        var rolledBack = counted.RolledBackTo(stepCount: 3);
        var again = EpochsAt(3, 4, 5, 6);

        Assert.Equal([0L, 1, 2], rolledBack.AppliedSteps);
        Assert.Equal(3, rolledBack.Result.Steps);
        Assert.Equal([1], rolledBack.Result.Epochs.Select(e => e.Epoch));
        Assert.Equal([0L, 1, 2, 3, 4, 5, 6], rolledBack.Then(again).AppliedSteps);
        Assert.Equal(7, rolledBack.Then(again).Result.Steps);
        Assert.Same(counted, counted.RolledBackTo(stepCount: 7));
    }

    private static DistributedRunReport EpochsAt(params long[] steps) => Counted(steps) with
    {
        Result = new TrainingResult([Epoch(2, 6)], steps[^1] + 1, 1, 1000, null),
    };

    [Fact]
    public void Steps_the_parameter_server_applied_after_the_last_counted_one_are_counted_once()
    {
        var sofar = Counted(49, 50).CountingAppliedBelow(stepCount: 52, firstStep: 49);

        Assert.Equal([49L, 50, 51], sofar.AppliedSteps);
        Assert.Equal(3, sofar.Result.Steps);
    }

    [Fact]
    public void A_report_that_counted_every_applied_step_is_left_as_it_is()
    {
        var sofar = Counted(49, 50);

        Assert.Same(sofar, sofar.CountingAppliedBelow(stepCount: 51, firstStep: 49));
    }

    [Fact]
    public void A_life_that_counted_no_step_counts_the_applied_ones_from_its_first_step()
    {
        var sofar = Counted().CountingAppliedBelow(stepCount: 12, firstStep: 10);

        Assert.Equal([10L, 11], sofar.AppliedSteps);
        Assert.Equal(2, sofar.Result.Steps);
    }
}
