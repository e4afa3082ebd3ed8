using System.Text.Json;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The coordinator process killed with kill -9 mid-run, and started again with --resume from its periodic checkpoint:
/// the same worker processes (never restarted) come back to it as fresh nodes, the resumed run ends at the run's
/// planned total, every step after the checkpoint applied exactly once, and every worker is told the run is over.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class CoordinatorRestartTests
{
    private const int Steps = 400;

    [Fact]
    public void A_coordinator_killed_and_resumed_from_its_checkpoint_gets_the_same_workers_back_and_ends_at_the_planned_total()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string checkpoint = dir.File("model.safetensors");
        string[] run =
        [
            "--layers", "linear:784:32,relu,linear:32:10", "--optimizer", "adam", "--lr", "0.002", "--batch-size", "128",
            "--steps", Steps.ToString(), "--threads", "1", "--shard-deadline", "5", "--worker-timeout", "90", "--expect-workers", "2",
            "--save", checkpoint, "--checkpoint-every", "50",
        ];
        cluster.StartCoordinator([.. run, "--summary", dir.File("first.json")]);
        for (int i = 0; i < 2; i++) cluster.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}", "--registration-timeout", "120");
        cluster.WaitForStep(150, TimeSpan.FromMinutes(2));
        using (var killer = System.Diagnostics.Process.Start("kill", ["-9", cluster.Coordinator!.Id.ToString()]))
            killer.WaitForExit();
        cluster.Coordinator.WaitForExit();

        cluster.StartCoordinator([.. run, "--resume", checkpoint, "--summary", dir.File("resumed.json")]);

        Assert.Equal(0, cluster.WaitForCoordinator(TimeSpan.FromMinutes(3)));
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("resumed.json")));
        var resumed = json.RootElement.GetProperty("cluster");
        int first = resumed.GetProperty("first_applied_step").GetInt32();
        // The resumed run starts right after a periodic checkpoint's step.
        Assert.InRange(first, 51, Steps);
        Assert.Equal(1, first % 50);
        Assert.Equal(Steps, resumed.GetProperty("last_applied_step").GetInt32());
        Assert.Equal(Steps - first + 1, resumed.GetProperty("applied_steps").GetInt32());
        Assert.Equal(Steps - first + 1, resumed.GetProperty("distinct_applied_steps").GetInt32());
        Assert.Equal(["worker-1", "worker-2"], resumed.GetProperty("shards_per_worker").EnumerateObject().Select(w => w.Name).Order());
        // Each worker trained only on a node of the resumed coordinator's cluster, so each was told the run is over: an old
        // node accepted from outside that cluster would wait out its registration timeout instead.
        for (int i = 0; i < cluster.Workers.Count; i++)
        {
            Assert.True(cluster.Workers[i].WaitForExit(TimeSpan.FromSeconds(30)), $"worker-{i + 1} did not leave after the resumed run:\n{cluster.WorkerOutputs[i]}");
            Assert.Equal(0, cluster.Workers[i].ExitCode);
        }
    }
}
