using System.Text.Json;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A standby coordinator process beside the active one, both started with the same options: the active one killed with
/// kill -9 mid-run, the standby takes over from the run's newest checkpoint, the same worker processes register with it
/// from the nodes they already had, and the run ends at its planned total with every step after that checkpoint applied
/// exactly once.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class StandbyCoordinatorTests
{
    private const int Steps = 400;

    [Fact]
    public void The_standby_takes_over_from_a_killed_coordinator_with_the_same_workers_and_ends_at_the_planned_total()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string[] run =
        [
            "--layers", "linear:784:32,relu,linear:32:10", "--optimizer", "adam", "--lr", "0.002", "--batch-size", "128",
            "--steps", Steps.ToString(), "--threads", "1", "--shard-deadline", "5", "--worker-timeout", "90", "--expect-workers", "2",
            "--save", dir.File("model.safetensors"), "--checkpoint-every", "50",
        ];
        cluster.StartCoordinator([.. run, "--summary", dir.File("active.json")]);
        cluster.StartStandby([.. run, "--summary", dir.File("standby.json")]);
        for (int i = 0; i < 2; i++) cluster.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}", "--registration-timeout", "120");
        ClusterProcesses.WaitForLine(cluster.StandbyOutput, "standing by", TimeSpan.FromMinutes(1));
        cluster.WaitForStep(150, TimeSpan.FromMinutes(2));
        using (var killer = System.Diagnostics.Process.Start("kill", ["-9", cluster.Coordinator!.Id.ToString()]))
            killer.WaitForExit();

        Assert.True(cluster.Standby!.WaitForExit(TimeSpan.FromMinutes(2)), $"the standby did not finish the run:\n{cluster.StandbyOutput}");
        Assert.True(cluster.Standby.ExitCode == 0, $"the standby exited {cluster.Standby.ExitCode}:\n{cluster.StandbyOutput}");
        Assert.False(File.Exists(dir.File("active.json")), "the active coordinator finished before it was killed");
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("standby.json")));
        var resumed = json.RootElement.GetProperty("cluster");
        int first = resumed.GetProperty("first_applied_step").GetInt32();
        Assert.InRange(first, 51, Steps);
        Assert.Equal(1, first % 50);
        Assert.Equal(Steps, resumed.GetProperty("last_applied_step").GetInt32());
        Assert.Equal(Steps - first + 1, resumed.GetProperty("applied_steps").GetInt32());
        Assert.Equal(Steps - first + 1, resumed.GetProperty("distinct_applied_steps").GetInt32());
        Assert.Equal(["worker-1", "worker-2"], resumed.GetProperty("shards_per_worker").EnumerateObject().Select(w => w.Name).Order());
        for (int i = 0; i < cluster.Workers.Count; i++)
        {
            string output;
            lock (cluster.WorkerOutputs[i]) output = cluster.WorkerOutputs[i].ToString();
            Assert.True(cluster.Workers[i].WaitForExit(TimeSpan.FromSeconds(30)), $"worker-{i + 1} did not leave after the run:\n{output}");
            Assert.Equal(0, cluster.Workers[i].ExitCode);
            // The standby was a coordinator node of the cluster all along: the workers kept their nodes and registered with it.
            Assert.DoesNotContain("starting a fresh node", output);
        }
    }
}
