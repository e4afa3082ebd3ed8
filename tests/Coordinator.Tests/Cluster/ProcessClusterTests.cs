using System.Text.Json;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The Coordinator and Worker programs as separate processes on loopback, configured the way
/// docker-compose.yml configures them: they train to a set accuracy, and a worker killed with
/// kill -9 mid-epoch costs neither a step nor accuracy.
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
    public void A_worker_killed_mid_epoch_costs_no_step_and_no_accuracy()
    {
        double withoutKill = Train(kill: false, out _);
        double withKill = Train(kill: true, out var run);

        Assert.Equal(300, run.GetProperty("applied_steps").GetInt32());
        Assert.Equal(300, run.GetProperty("distinct_applied_steps").GetInt32());
        Assert.Equal(1, run.GetProperty("first_applied_step").GetInt32());
        Assert.Equal(300, run.GetProperty("last_applied_step").GetInt32());
        Assert.Single(run.GetProperty("workers_lost").EnumerateArray());
        Assert.InRange(withKill, withoutKill - 0.01, 1.0);
    }

    private static double Train(bool kill, out JsonElement cluster)
    {
        using var dir = new TempDirectory();
        using var processes = new ClusterProcesses(dir.Path);
        string summary = Path.Combine(dir.Path, "summary.json");
        // The periodic checkpoint is the kill's clock (it does not change what is trained): step 100 of 300.
        string checkpoint = Path.Combine(dir.Path, "model.safetensors");
        processes.StartCoordinator([.. Run, "--expect-workers", "3", "--summary", summary, "--save", checkpoint, "--checkpoint-every", "100"]);
        for (int i = 0; i < 3; i++) processes.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}");
        if (kill)
        {
            processes.WaitForFile(checkpoint, TimeSpan.FromMinutes(2));
            ClusterProcesses.KillHard(processes.Workers[1]);
        }
        processes.WaitForCoordinatorSuccess(TimeSpan.FromMinutes(4));
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        cluster = json.RootElement.GetProperty("cluster").Clone();
        return json.RootElement.GetProperty("epochs")[0].GetProperty("test_accuracy").GetDouble();
    }
}
