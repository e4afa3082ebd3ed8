using System.Text.Json;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The Coordinator and Worker programs as separate processes on loopback, configured the way
/// docker-compose.yml configures them: they train to a set accuracy, and a worker killed with
/// kill -9 mid-epoch costs no step and ends on the weights of the undisturbed run, bit for bit.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ProcessClusterTests
{
    private static readonly string[] Run =
    [
        "--layers", "linear:784:64,relu,linear:64:10", "--optimizer", "adam", "--lr", "0.002", "--batch-size", "128", "--steps", "300",
        "--threads", "1", "--shard-sizing", "equal", "--shard-deadline", "5", "--worker-timeout", "60",
    ];

    [Fact]
    public void Coordinator_and_worker_processes_train_to_eighty_percent()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string summary = Path.Combine(dir.Path, "summary.json");
        cluster.StartCoordinator([.. Run, "--expect-workers", "2", "--summary", summary]);
        cluster.StartWorker("--threads", "1");
        cluster.StartWorker("--threads", "1");

        cluster.WaitForCoordinatorSuccess(TimeSpan.FromMinutes(4));
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        var root = json.RootElement;
        Assert.True(root.GetProperty("epochs")[0].GetProperty("test_accuracy").GetDouble() >= 0.80, cluster.CoordinatorOutput.ToString());
        var run = root.GetProperty("cluster");
        Assert.Equal(300, run.GetProperty("applied_steps").GetInt32());
        Assert.Equal(2, run.GetProperty("shards_per_worker").EnumerateObject().Count());
        foreach (var worker in cluster.Workers)
        {
            Assert.True(worker.WaitForExit(TimeSpan.FromSeconds(30)), "a worker did not leave after the run");
            Assert.Equal(0, worker.ExitCode);
        }
        // A run that went well says nothing alarming on any node: nodes leaving at the end are not failures.
        foreach (var output in cluster.WorkerOutputs.Prepend(cluster.CoordinatorOutput).Select(o => { lock (o) return o.ToString(); }))
        {
            bool alarming = output.Contains(" WRN]") || output.Contains(" ERR]") || output.Contains("   at ");
            Assert.False(alarming, output);
        }
    }

    [Fact]
    public void A_worker_killed_mid_epoch_costs_no_step_and_ends_on_the_weights_of_the_undisturbed_run()
    {
        using var dir = new TempDirectory();
        using var processes = new ClusterProcesses(dir.Path);
        string summary = dir.File("summary.json");
        // The periodic checkpoint is the kill's clock (saving does not change what is trained): step 100 of 300.
        string[] job = [.. Run, "--save", dir.File("model.safetensors"), "--checkpoint-every", "100"];
        processes.StartCoordinator([.. job, "--expect-workers", "3", "--summary", summary]);
        for (int i = 0; i < 3; i++) processes.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}");
        processes.WaitForFile(dir.File("model.safetensors"), TimeSpan.FromMinutes(2));
        ClusterProcesses.KillHard(processes.Workers[1]);
        processes.WaitForCoordinatorSuccess(TimeSpan.FromMinutes(4));

        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        var run = json.RootElement.GetProperty("cluster");
        Assert.Equal(300, run.GetProperty("applied_steps").GetInt32());
        Assert.Equal(300, run.GetProperty("distinct_applied_steps").GetInt32());
        Assert.Equal(1, run.GetProperty("first_applied_step").GetInt32());
        Assert.Equal(300, run.GetProperty("last_applied_step").GetInt32());
        Assert.Single(run.GetProperty("workers_lost").EnumerateArray());
        // Three logical shards whoever computes them: the same job on three embedded workers, never disturbed, is the reference.
        string undisturbed = dir.File("undisturbed.safetensors");
        EmbeddedCluster.Train(TrainArguments.Parse([.. Run, "--save", undisturbed, "--workers", "3"]));
        CheckpointAssert.Close(undisturbed, dir.File("model.safetensors"), 0, "after a worker process was killed");
    }
}
