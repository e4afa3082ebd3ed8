using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A standby coordinator process beside the active one, both started with the same options: the active one killed with
/// kill -9 mid-run, the standby takes over from the run's newest checkpoint, the same worker processes register with it
/// from the nodes they already had, and the run ends at its planned total with every step after that checkpoint applied
/// exactly once, on the very model the job ends on undisturbed.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class StandbyCoordinatorTests
{
    [Fact]
    public void The_standby_takes_over_from_a_killed_coordinator_with_the_same_workers_and_ends_on_the_model_of_the_undisturbed_run()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string[] run = ResumedRun.Job(dir.File("model.safetensors"));
        cluster.StartCoordinator([.. run, "--summary", dir.File("active.json")]);
        cluster.StartStandby([.. run, "--summary", dir.File("standby.json")]);
        for (int i = 0; i < 2; i++) cluster.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}", "--registration-timeout", "120");
        ClusterProcesses.WaitForLine(cluster.StandbyOutput, "standing by", TimeSpan.FromMinutes(1));
        cluster.WaitForStep(150, TimeSpan.FromMinutes(2));
        ClusterProcesses.KillHard(cluster.Coordinator!);

        Assert.True(cluster.Standby!.WaitForExit(TimeSpan.FromMinutes(2)), $"the standby did not finish the run:\n{cluster.StandbyOutput}");
        Assert.True(cluster.Standby.ExitCode == 0, $"the standby exited {cluster.Standby.ExitCode}:\n{cluster.StandbyOutput}");
        Assert.False(File.Exists(dir.File("active.json")), "the active coordinator finished before it was killed");
        ResumedRun.AssertEndedFromACheckpoint(dir.File("standby.json"));
        for (int i = 0; i < cluster.Workers.Count; i++)
        {
            string output;
            lock (cluster.WorkerOutputs[i]) output = cluster.WorkerOutputs[i].ToString();
            Assert.True(cluster.Workers[i].WaitForExit(TimeSpan.FromSeconds(30)), $"worker-{i + 1} did not leave after the run:\n{output}");
            Assert.Equal(0, cluster.Workers[i].ExitCode);
            // The standby was a coordinator node of the cluster all along: the workers kept their nodes and registered with it.
            Assert.DoesNotContain("starting a fresh node", output);
        }
        ResumedRun.AssertEndedOnTheUndisturbedModel(dir.File("model.safetensors"), dir.File("undisturbed.safetensors"));
    }
}
