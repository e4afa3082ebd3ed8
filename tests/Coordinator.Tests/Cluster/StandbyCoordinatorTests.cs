using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A standby coordinator process beside the active one, both started with the same options: the active one killed with
/// kill -9 mid-run, the standby takes over from the run's newest checkpoint, the same worker processes register with it
/// from the nodes they already had, and the run ends at its planned total with every step after that checkpoint applied
/// exactly once, on the very model the job ends on undisturbed: from the --save file the two share, or, with no disk
/// shared, from the checkpoint the active one streamed to the standby on the data plane.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class StandbyCoordinatorTests
{
    [Fact]
    public void The_standby_takes_over_from_a_killed_coordinator_with_the_same_workers_and_ends_on_the_model_of_the_undisturbed_run()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string[] run = ResumedRun.Job(dir.File("model.safetensors"), StreamedRunSteps);
        cluster.StartCoordinator([.. run, "--summary", dir.File("active.json")]);
        cluster.StartStandby([.. run, "--summary", dir.File("standby.json")]);
        cluster.WaitForStandbyStream(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 2; i++) cluster.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}", "--registration-timeout", "120");
        cluster.WaitForStep(150, TimeSpan.FromMinutes(2));
        ClusterProcesses.KillHard(cluster.Coordinator!);

        Assert.True(cluster.Standby!.WaitForExit(TimeSpan.FromMinutes(2)), $"the standby did not finish the run:\n{cluster.StandbyOutput}");
        Assert.True(cluster.Standby.ExitCode == 0, $"the standby exited {cluster.Standby.ExitCode}:\n{cluster.StandbyOutput}");
        Assert.False(File.Exists(dir.File("active.json")), "the active coordinator finished before it was killed");
        ResumedRun.AssertEndedFromACheckpoint(dir.File("standby.json"), StreamedRunSteps);
        for (int i = 0; i < cluster.Workers.Count; i++)
        {
            string output;
            lock (cluster.WorkerOutputs[i]) output = cluster.WorkerOutputs[i].ToString();
            Assert.True(cluster.Workers[i].WaitForExit(TimeSpan.FromSeconds(30)), $"worker-{i + 1} did not leave after the run:\n{output}");
            Assert.Equal(0, cluster.Workers[i].ExitCode);
            // The standby was a coordinator node of the cluster all along: the workers kept their nodes and registered with it.
            Assert.DoesNotContain("starting a fresh node", output);
        }
        ResumedRun.AssertEndedOnTheUndisturbedModel(dir.File("model.safetensors"), dir.File("undisturbed.safetensors"), StreamedRunSteps);
    }

    /// <summary>
    /// The kill waits for a printed step line (and, with no disk shared, the standby's first streamed checkpoint): a
    /// redirected run prints at most a line a second, and on a fast machine the default job's 1000 steps were all trained
    /// by then, leaving nothing to take over (seen in both tests). Three times as many steps keep the active coordinator
    /// training when it is killed.
    /// </summary>
    private const int StreamedRunSteps = 3 * ResumedRun.Steps;

    [Fact]
    public void A_standby_with_no_disk_shared_with_the_active_coordinator_takes_over_from_the_streamed_checkpoint()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string standbySave = Path.Combine(dir.Path, "standby", "model.safetensors");
        cluster.StartCoordinator([.. ResumedRun.Job(dir.File("active.safetensors"), StreamedRunSteps), "--summary", dir.File("active.json")]);
        cluster.StartStandby([.. ResumedRun.Job(standbySave, StreamedRunSteps), "--summary", dir.File("standby.json")]);
        cluster.WaitForStandbyStream(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 2; i++) cluster.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}", "--registration-timeout", "120");
        cluster.WaitForStep(150, TimeSpan.FromMinutes(2));
        // The standby's own directory: the only state it can have is what the data plane brought it.
        cluster.WaitForFile($"{standbySave}.standby", TimeSpan.FromMinutes(1));
        ClusterProcesses.KillHard(cluster.Coordinator!);

        Assert.True(cluster.Standby!.WaitForExit(TimeSpan.FromMinutes(2)), $"the standby did not finish the run:\n{cluster.StandbyOutput}");
        Assert.True(cluster.Standby.ExitCode == 0, $"the standby exited {cluster.Standby.ExitCode}:\n{cluster.StandbyOutput}");
        string output;
        lock (cluster.StandbyOutput) output = cluster.StandbyOutput.ToString();
        Assert.Contains($"resuming from {standbySave}.standby", output);
        ResumedRun.AssertEndedFromACheckpoint(dir.File("standby.json"), StreamedRunSteps);
        ResumedRun.AssertEndedOnTheUndisturbedModel(standbySave, dir.File("undisturbed.safetensors"), StreamedRunSteps);
    }
}
