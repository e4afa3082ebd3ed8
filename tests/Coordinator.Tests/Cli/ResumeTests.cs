using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>
/// A resumed run is the run it continues: it ends at the total its checkpoint recorded, and in one process it lands on
/// the uninterrupted run's weights and optimizer state bit for bit (the checkpoint holds the optimizer state and the
/// running statistics; batches and dropout masks are drawn from the seed and the step).
/// </summary>
public sealed class ResumeTests : IDisposable
{
    // 60 samples in batches of 20: 3 steps an epoch, 12 in the run.
    private static readonly string[] Run =
    [
        "--layers", "linear:16:8,batchnorm:8,relu,dropout:0.2,linear:8:4", "--optimizer", "adam", "--batch-size", "20",
        "--seed", "5", "--threads", "1", "--device", "cpu", "--train-samples", "60", "--test-samples", "30",
    ];

    private readonly TempDirectory _directory = new();

    public ResumeTests() => SyntheticDataset.Write(_directory, count: 100, rows: 4, columns: 4, classes: 4);

    public void Dispose() => _directory.Dispose();

    private static TrainingResult Train(string[] args, int stopAfter = int.MaxValue)
    {
        using var stop = new CancellationTokenSource();
        using var run = TrainingRun.Prepare(TrainArguments.Parse(args), Logger.None);
        return run.Execute(new StopAfter(stopAfter, stop), Logger.None, stop.Token, akka: EmbeddedCluster.SerializeMessages).Result;
    }

    private string[] Options(string workers, params string[] more) => [.. Run, "--data-dir", _directory.Path, "--workers", workers, .. more];

    [Fact]
    public void A_local_run_stopped_at_step_5_and_resumed_ends_at_step_12_with_the_uninterrupted_runs_exact_state()
    {
        string whole = _directory.File("whole.safetensors"), part = _directory.File("part.safetensors"), resumed = _directory.File("resumed.safetensors");
        Assert.Equal(12, Train(Options("0", "--epochs", "4", "--save", whole)).Steps);

        var first = Train(Options("0", "--epochs", "4", "--save", part, "--checkpoint-every", "2"), stopAfter: 5);
        Assert.Equal((5L, true), (first.Steps, first.Interrupted));
        Assert.Equal(12, ModelCheckpoint.ReadPlannedSteps(part));
        var second = Train(Options("0", "--resume", part, "--save", resumed));

        Assert.Equal((12L, false), (second.Steps, second.Interrupted));
        var (expected, expectedMetadata) = SafeTensorsFile.Read(whole);
        var (actual, actualMetadata) = SafeTensorsFile.Read(resumed);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.Contains(actual.Keys, k => k.StartsWith("optimizer.", StringComparison.Ordinal));
        Assert.All(expected, tensor => Assert.Equal(tensor.Value.Data, actual[tensor.Key].Data));
        Assert.Equal(expectedMetadata, actualMetadata);
    }

    [Fact]
    public void A_cluster_run_stopped_midway_and_resumed_ends_at_its_recorded_total()
    {
        string part = _directory.File("part.safetensors"), resumed = _directory.File("resumed.safetensors");
        string[] cluster = ["--shard-sizing", "equal"];

        var first = Train(Options("2", [.. cluster, "--epochs", "4", "--save", part]), stopAfter: 5);
        long stoppedAt = long.Parse(SafeTensorsFile.ReadMetadata(part)["step"], System.Globalization.CultureInfo.InvariantCulture);
        var second = Train(Options("2", [.. cluster, "--resume", part, "--save", resumed]));

        Assert.True(first.Interrupted);
        Assert.InRange(stoppedAt, 5, 11);
        Assert.Equal(12, second.Steps);
        Assert.Equal("12", SafeTensorsFile.ReadMetadata(resumed)["step"]);
        Assert.Equal(12, ModelCheckpoint.ReadPlannedSteps(resumed));
    }

    /// <summary>A run that has begun goes on with the workers it has once --worker-timeout is over: a node lost for good must not end it.</summary>
    [Fact]
    public void A_cluster_run_resumed_with_fewer_workers_than_it_expects_goes_on_with_them_to_the_uninterrupted_runs_weights()
    {
        string whole = _directory.File("whole.safetensors"), part = _directory.File("part.safetensors"), resumed = _directory.File("resumed.safetensors");
        string[] cluster = ["--shard-sizing", "equal", "--epochs", "4"];
        Assert.Equal(12, Train(Options("2", [.. cluster, "--save", whole])).Steps);

        Assert.True(Train(Options("2", [.. cluster, "--save", part]), stopAfter: 5).Interrupted);
        var second = Train(Options("1", "--expect-workers", "2", "--worker-timeout", "8", "--resume", part, "--save", resumed));

        Assert.Equal((12L, false, null), (second.Steps, second.Interrupted, second.Failure));
        var expected = SafeTensorsFile.Read(whole).Tensors;
        var actual = SafeTensorsFile.Read(resumed).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, tensor => Assert.Equal(tensor.Value.Data, actual[tensor.Key].Data));
    }

    [Fact]
    public void Epochs_given_with_resume_are_the_runs_new_total_counted_from_step_0()
    {
        string part = _directory.File("part.safetensors");
        Train(Options("0", "--epochs", "4", "--save", part), stopAfter: 5);

        var longer = Train(Options("0", "--resume", part, "--epochs", "5", "--save", _directory.File("longer.safetensors")));

        Assert.Equal(15, longer.Steps);
        Assert.Equal(15, ModelCheckpoint.ReadPlannedSteps(_directory.File("longer.safetensors")));
    }

    [Fact]
    public void A_resume_with_nothing_left_to_train_is_refused_naming_the_checkpoint()
    {
        string part = _directory.File("part.safetensors");
        Train(Options("0", "--epochs", "4", "--save", part), stopAfter: 5);

        var error = Assert.Throws<InvalidInputException>(() => Train(Options("0", "--resume", part, "--steps", "5")));

        Assert.Equal($"--resume {part}: the checkpoint is at step 5 and the run ends at step 5: nothing is left to train " +
                     "(--steps or --epochs with --resume give a new total, counted from step 0)", error.Message);
    }

    /// <summary>Asks the run to stop once step <paramref name="step"/> is applied (it stops between two steps).</summary>
    private sealed class StopAfter(int step, CancellationTokenSource stop) : ITrainingObserver
    {
        public void OnStep(StepReport report)
        {
            if (report.Step >= step) stop.Cancel();
        }

        public void OnEpoch(EpochReport report) { }
    }
}
