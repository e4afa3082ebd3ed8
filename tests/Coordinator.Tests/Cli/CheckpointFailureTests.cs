using Akka.Configuration;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>
/// A periodic checkpoint that cannot be written (its folder is a regular file) is retried and then stops the run, in one
/// process and on the cluster: a run that goes on without the checkpoints asked for loses its work on the next crash.
/// </summary>
public sealed class CheckpointFailureTests : IDisposable
{
    private static readonly Config QuickRetry = Retry("10ms");

    /// <summary>A retry that outlasts the few steps left after the checkpoint: the run's last step is applied before it fails.</summary>
    private static readonly Config SlowRetry = Retry("3s");

    private static Config Retry(string delay) => ConfigurationFactory.ParseString($"""
        disttrainer.coordinator.checkpoint-retries = 1
        disttrainer.coordinator.checkpoint-retry-delay = {delay}
        """).WithFallback(EmbeddedCluster.SerializeMessages);

    private readonly TempDirectory _directory = new();

    public CheckpointFailureTests() => SyntheticDataset.Write(_directory, count: 100, rows: 4, columns: 4, classes: 4);

    public void Dispose() => _directory.Dispose();

    private TrainingResult Train(string workers, int epochs, int checkpointEvery = 2, Config? akka = null)
    {
        string unwritable = Path.Combine(_directory.Write("not-a-directory", [1]), "model.safetensors");
        using var run = TrainingRun.Prepare(TrainArguments.Parse([
            "--layers", "linear:16:8,tanh,linear:8:4", "--batch-size", "20", "--train-samples", "60", "--device", "cpu", "--threads", "1",
            "--data-dir", _directory.Path, "--workers", workers, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--save", unwritable, "--checkpoint-every", checkpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture)]), Logger.None);
        return run.Execute(new TrainingRecorder(), Logger.None, CancellationToken.None, akka: akka ?? QuickRetry).Result;
    }

    [Fact]
    public void In_one_process_the_run_stops_at_the_checkpoint_that_failed_after_its_retries()
    {
        var result = Train("0", epochs: 4);

        Assert.Equal(FailureKind.Checkpoint, result.FailureKind);
        Assert.Equal(2, result.Steps);
        Assert.StartsWith($"checkpoint {Path.Combine(_directory.File("not-a-directory"), "model.safetensors")} of step 2 could not be written (2 attempts): ",
            result.Failure);
    }

    /// <summary>
    /// The parameter server writes on a task of its own and reports the failure between two steps: the step the run stops at
    /// depends on the disk's timing (on a fast machine all 120 steps can be applied first), how it ends does not.
    /// </summary>
    [Fact]
    public void On_the_cluster_the_parameter_server_reports_the_failure_and_the_run_ends_with_it()
    {
        var result = Train("2", epochs: 40);

        Assert.Equal(FailureKind.Checkpoint, result.FailureKind);
        Assert.InRange(result.Steps, 2, 120);
        Assert.Contains("of step 2 could not be written (2 attempts): ", result.Failure);
    }

    /// <summary>
    /// The final --save waits for the periodic write in flight. Before, when that write failed after the last step, the
    /// final save was written next and decided the end: its own failure (an I/O error, exit 1, not exit 5) or, had it
    /// succeeded, a success; a step earlier the same failure ends the run with exit 5.
    /// </summary>
    [Fact]
    public void On_the_cluster_a_periodic_checkpoint_that_fails_after_the_last_step_still_ends_the_run()
    {
        var result = Train("2", epochs: 2, checkpointEvery: 5, akka: SlowRetry);

        Assert.Equal(6, result.Steps);
        Assert.Equal(FailureKind.Checkpoint, result.FailureKind);
        Assert.Contains("of step 5 could not be written (2 attempts): ", result.Failure);
    }
}
