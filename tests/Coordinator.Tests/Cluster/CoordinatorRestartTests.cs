using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The coordinator process killed with kill -9 mid-run, and started again with --resume from its periodic checkpoint:
/// the same worker processes (never restarted) come back to it as fresh nodes, the resumed run ends at the run's
/// planned total on the model of the undisturbed run (bit for bit), every step after the checkpoint applied exactly once,
/// and every worker is told the run is over.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class CoordinatorRestartTests
{
    [Fact]
    public void A_coordinator_killed_and_resumed_from_its_checkpoint_gets_the_same_workers_back_and_ends_on_the_model_of_the_undisturbed_run()
    {
        using var dir = new TempDirectory();
        using var cluster = new ClusterProcesses(dir.Path);
        string checkpoint = dir.File("model.safetensors");
        string[] run = ResumedRun.Job(checkpoint);
        cluster.StartCoordinator([.. run, "--summary", dir.File("first.json")]);
        for (int i = 0; i < 2; i++) cluster.StartWorker("--threads", "1", "--worker-id", $"worker-{i + 1}", "--registration-timeout", "120");
        cluster.WaitForFile(checkpoint, TimeSpan.FromMinutes(2));
        ClusterProcesses.KillHard(cluster.Coordinator!);

        cluster.StartCoordinator([.. run, "--resume", checkpoint, "--summary", dir.File("resumed.json")]);

        cluster.WaitForCoordinatorSuccess(TimeSpan.FromMinutes(3));
        ResumedRun.AssertEndedFromACheckpoint(dir.File("resumed.json"));
        ResumedRun.AssertEndedOnTheUndisturbedModel(checkpoint, dir.File("undisturbed.safetensors"));
        // Each worker trained only on a node of the resumed coordinator's cluster, so each was told the run is over: an old
        // node accepted from outside that cluster would wait out its registration timeout instead.
        for (int i = 0; i < cluster.Workers.Count; i++)
        {
            Assert.True(cluster.Workers[i].WaitForExit(TimeSpan.FromSeconds(30)), $"worker-{i + 1} did not leave after the resumed run:\n{cluster.WorkerOutputs[i]}");
            Assert.Equal(0, cluster.Workers[i].ExitCode);
        }
    }
}
