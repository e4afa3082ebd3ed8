using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Core.Tests.Training;

/// <summary>The run meter without a model: steps and epochs from given outcomes, seconds and row counts.</summary>
public class RunMeterTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<StepReport> Steps { get; } = [];
        public List<EpochReport> Epochs { get; } = [];
        public void OnStep(StepReport report) => Steps.Add(report);
        public void OnEpoch(EpochReport report) => Epochs.Add(report);
    }

    private readonly Recorder _recorder = new();

    /// <summary>A meter whose loss normalizer is the row count (a mean over rows).</summary>
    private RunMeter Meter(int batchesPerEpoch, long firstStep, long? steps, int epochs, Serilog.ILogger? log = null) =>
        new(batchesPerEpoch, firstStep, steps, epochs, rows => rows, _recorder, log ?? Logger.None);

    [Theory]
    [InlineData(0L, 0, 0)]
    [InlineData(468L, 0, 468)]
    [InlineData(469L, 1, 0)]
    [InlineData(937L, 1, 468)]
    [InlineData(938L, 2, 0)]
    public void A_step_falls_in_the_epoch_and_batch_of_its_count_of_whole_epochs(long step, int epoch, int batch)
    {
        Assert.Equal((epoch, batch), RunMeter.Position(step, 469));
        Assert.Equal((epoch, batch), Meter(469, 0, null, 3).PositionOf(step));
    }

    [Fact]
    public void Samples_per_second_are_rows_over_seconds_and_a_zero_time_counts_as_a_nanosecond()
    {
        Assert.Equal(2400.0, RunMeter.SamplesPerSecond(6000, 2.5));
        Assert.Equal(64e9, RunMeter.SamplesPerSecond(64, 0), 1e-3);
    }

    [Fact]
    public void The_last_step_is_the_first_plus_the_steps_given_or_else_whole_epochs()
    {
        Assert.Equal(1406L, Meter(469, 937, null, 1).LastStep);
        Assert.Equal(947L, Meter(469, 937, 10, 1).LastStep);
    }

    [Fact]
    public void An_applied_step_reports_its_position_mean_loss_accuracy_and_the_running_throughput()
    {
        var meter = Meter(3, 0, null, 2);

        var first = meter.Applied(new BatchOutcome(8, 3, 4), 4, 0.5);
        var second = meter.Applied(new BatchOutcome(2, 4, 4), 4, 1.5);

        Assert.Equal(new StepReport(0, 0, 3, 1, 6, 2.0, 0.75, 8.0, 4), first);
        Assert.Equal(new StepReport(0, 1, 3, 2, 6, 0.5, 1.0, 4.0, 4), second);
        Assert.Equal([first, second], _recorder.Steps);
        Assert.Equal(2L, meter.Step);
        Assert.Equal(2.0, meter.TrainingSeconds);
    }

    [Fact]
    public void An_epoch_ends_with_its_last_batch_or_with_the_last_step_of_the_run()
    {
        var meter = Meter(3, 0, 4, 1);
        var ended = new List<bool>();
        for (int i = 0; i < 4; i++)
        {
            meter.Applied(new BatchOutcome(1, 1, 2), 2, 1);
            ended.Add(meter.EpochEnded);
        }
        Assert.Equal([false, false, true, true], ended);
        Assert.True(meter.IsOver);
    }

    [Fact]
    public void A_run_resumed_at_step_937_of_469_batch_epochs_closes_epoch_2_after_its_first_step()
    {
        var meter = Meter(469, 937, null, 1);

        var step = meter.Applied(new BatchOutcome(6, 5, 10), 10, 1);

        Assert.Equal((1, 468, 938L, 1406L), (step.Epoch, step.Batch, step.Step, step.LastStep));
        Assert.True(meter.EpochEnded);
        Assert.Equal((2, 938L), (meter.CloseEpoch(() => null).Epoch, _recorder.Epochs[0].Step));
    }

    [Fact]
    public void A_closed_epoch_reports_the_means_of_its_steps_and_the_test_set_and_logs_them()
    {
        var sink = new CollectingSink();
        var meter = Meter(2, 0, null, 1, sink.CreateLogger());
        meter.Applied(new BatchOutcome(6, 3, 4), 4, 1.0);
        meter.Applied(new BatchOutcome(2, 4, 4), 4, 3.0);
        Assert.True(meter.EpochInProgress);

        var epoch = meter.CloseEpoch(() => new BatchOutcome(5, 8, 10));

        Assert.Equal((1, 2L, 1.0, 0.875, 0.5, 0.8, 2.0), (epoch.Epoch, epoch.Step, epoch.TrainLoss, epoch.TrainAccuracy, epoch.TestLoss,
            epoch.TestAccuracy, epoch.SamplesPerSecond));
        Assert.Equal([epoch], _recorder.Epochs);
        Assert.False(meter.EpochInProgress);
        var logged = Assert.Single(sink.Events);
        Assert.Equal("Epoch 1 ended at step 2: train loss 1.0000 accuracy 0.8750, test loss 0.5000 accuracy 0.8000", logged.RenderMessage());
    }

    [Fact]
    public void Without_a_test_set_an_epoch_has_no_test_figures()
    {
        var meter = Meter(1, 0, null, 1);
        meter.Applied(new BatchOutcome(3, 1, 2), 2, 1);

        var epoch = meter.CloseEpoch(() => null);

        Assert.Equal((1.5, 0.5, null, null), (epoch.TrainLoss, epoch.TrainAccuracy, epoch.TestLoss, epoch.TestAccuracy));
    }

    [Fact]
    public void The_result_holds_the_closed_epochs_the_steps_applied_and_the_run_throughput()
    {
        var meter = Meter(2, 4, null, 2);
        meter.Applied(new BatchOutcome(1, 1, 32), 32, 0.25);
        meter.Applied(new BatchOutcome(1, 1, 32), 32, 0.75);
        var epoch = meter.CloseEpoch(() => null);
        meter.Applied(new BatchOutcome(1, 1, 16), 16, 1.0);

        var result = meter.Result("stopped", interrupted: true);

        Assert.Equal([epoch], result.Epochs);
        Assert.Equal((7L, 40.0, "stopped", true), (result.Steps, result.SamplesPerSecond, result.Failure, result.Interrupted));
    }

    [Fact]
    public void The_first_epoch_is_timed_from_the_first_step_and_the_run_from_its_creation()
    {
        var time = new ManualTime();
        var meter = new RunMeter(1, 0, null, 2, rows => rows, _recorder, Logger.None, time);
        time.Advance(TimeSpan.FromSeconds(5)); // the cluster forming, workers registering
        meter.TrainingBegins();
        time.Advance(TimeSpan.FromSeconds(2));
        meter.Applied(new BatchOutcome(1, 1, 4), 4, 2);
        var first = meter.CloseEpoch(() => null);
        meter.TrainingBegins(); // training again after workers were lost: no new start
        time.Advance(TimeSpan.FromSeconds(3));
        meter.Applied(new BatchOutcome(1, 1, 4), 4, 3);
        var second = meter.CloseEpoch(() => null);

        Assert.Equal((2.0, 3.0, 10.0), (first.Seconds, second.Seconds, meter.Result(null, false).Seconds));
    }
}
