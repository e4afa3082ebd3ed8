using System.Text.Json;
using DistTrainer.Coordinator.Cli;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// What the tests of a coordinator lost mid-run share: the job (a periodic checkpoint to take over from), what the
/// summary of the run that took over must say, and that it ends on the model of the same job never disturbed.
/// </summary>
internal static class ResumedRun
{
    public const int Steps = 1000;
    private const int CheckpointEvery = 50;

    public static string[] Job(string checkpoint, int steps = Steps) =>
    [
        "--layers", "linear:784:32,relu,linear:32:10", "--optimizer", "adam", "--lr", "0.002", "--batch-size", "128",
        "--steps", steps.ToString(), "--threads", "1", "--shard-deadline", "5", "--worker-timeout", "90", "--expect-workers", "2",
        "--save", checkpoint, "--checkpoint-every", CheckpointEvery.ToString(),
    ];

    /// <summary>
    /// The run that took over started right after a periodic checkpoint's step, ended at the planned total with every
    /// step from there applied exactly once, and both workers computed shards of it.
    /// </summary>
    public static void AssertEndedFromACheckpoint(string summary, int steps = Steps)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(summary));
        var resumed = json.RootElement.GetProperty("cluster");
        int first = resumed.GetProperty("first_applied_step").GetInt32();
        Assert.InRange(first, CheckpointEvery + 1, steps);
        Assert.Equal(1, first % CheckpointEvery);
        Assert.Equal(steps, resumed.GetProperty("last_applied_step").GetInt32());
        Assert.Equal(steps - first + 1, resumed.GetProperty("applied_steps").GetInt32());
        Assert.Equal(steps - first + 1, resumed.GetProperty("distinct_applied_steps").GetInt32());
        Assert.Equal(["worker-1", "worker-2"], resumed.GetProperty("shards_per_worker").EnumerateObject().Select(w => w.Name).Order());
    }

    /// <summary>
    /// The run that took over ended on exactly the weights, running statistics and optimizer state of the same job run
    /// undisturbed, here in this process on two embedded workers: the same logical shards, whoever computes them.
    /// </summary>
    public static void AssertEndedOnTheUndisturbedModel(string checkpoint, string undisturbed, int steps = Steps)
    {
        var report = EmbeddedCluster.Train(TrainArguments.Parse([.. Job(undisturbed, steps), "--workers", "2"]));
        Assert.Equal(steps, report.AppliedSteps.Count);
        CheckpointAssert.Close(undisturbed, checkpoint, 0, "after the coordinator was lost and the run taken over");
    }
}
