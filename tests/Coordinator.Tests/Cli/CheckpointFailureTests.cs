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
    private static readonly Config QuickRetry = ConfigurationFactory.ParseString("""
        disttrainer.coordinator.checkpoint-retries = 1
        disttrainer.coordinator.checkpoint-retry-delay = 10ms
        """).WithFallback(EmbeddedCluster.SerializeMessages);

    private readonly TempDirectory _directory = new();

    public CheckpointFailureTests() => SyntheticDataset.Write(_directory, count: 100, rows: 4, columns: 4, classes: 4);

    public void Dispose() => _directory.Dispose();

    private TrainingResult Train(string workers, int epochs)
    {
        string unwritable = Path.Combine(_directory.Write("not-a-directory", [1]), "model.safetensors");
        using var run = TrainingRun.Prepare(TrainArguments.Parse([
            "--layers", "linear:16:8,tanh,linear:8:4", "--batch-size", "20", "--train-samples", "60", "--device", "cpu", "--threads", "1",
            "--data-dir", _directory.Path, "--workers", workers, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--save", unwritable, "--checkpoint-every", "2"]), Logger.None);
        return run.Execute(new TrainingRecorder(), Logger.None, CancellationToken.None, akka: QuickRetry).Result;
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

    [Fact]
    public void On_the_cluster_the_parameter_server_reports_the_failure_and_the_run_stops_early()
    {
        var result = Train("2", epochs: 40);

        Assert.Equal(FailureKind.Checkpoint, result.FailureKind);
        Assert.InRange(result.Steps, 2, 119);
        Assert.Contains("of step 2 could not be written (2 attempts): ", result.Failure);
    }
}
