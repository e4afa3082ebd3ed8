using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core.Tests;
using Serilog.Core;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A key range served on a worker's node (--ps-placement workers) is lost with that node: its weights and optimizer state are
/// gone. The run rolls back to the last state gathered from every range (each epoch's end gathers one), on a fresh coordinator
/// node, once workers register again (here a node in the killed one's place, as a supervisor would start it), and trains the
/// steps after that state again: every step counted once, and the final weights the undisturbed run's, every float.
/// </summary>
public sealed class RangeRollbackTests(UndisturbedRun undisturbed) : IClassFixture<UndisturbedRun>
{
    /// <summary>With three ranges on the two workers' nodes, one node serves two of them: losing them both is one rollback.</summary>
    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    public async Task A_range_servers_node_killed_mid_run_rolls_back_to_the_last_gathered_state_and_ends_on_the_undisturbed_runs_weights(string ranges)
    {
        using var dir = new TempDirectory();
        int port = Ports.Free();
        var sink = new CollectingSink();
        var killer = new KillAtStep(12);
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. FaultIndependenceTests.Run(undisturbed.Data, FaultIndependenceTests.WithBatchNorm, UndisturbedRun.Steps), "--workers", "1",
            "--expect-workers", "2", "--port", port.ToString(), "--ps-shards", ranges, "--ps-placement", "workers",
            "--save", dir.File("rolled-back.safetensors"),
        ]), log: sink.CreateLogger(), akka: FaultIndependenceTests.QuickDowning, gradients: killer));
        await using var victim = EmbeddedWorkers.Start(1, RejoinerNode.SeedNode(port), _ => undisturbed.Worker("victim"), Logger.None, WorkerFaultTests.Abrupt);
        killer.Victim = victim.Systems[0];
        await Until(() => sink.Events.Any(RolledBack) || training.IsCompleted, TimeSpan.FromMinutes(1));
        await using var replacement = EmbeddedWorkers.Start(1, RejoinerNode.SeedNode(port), _ => undisturbed.Worker("replacement"), Logger.None);
        var report = await training.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Null(report.Result.Failure);
        Assert.Equal(12, killer.KilledAtStep);
        var rollback = Assert.Single(sink.Events, RolledBack);
        Assert.Equal("10", rollback.Properties["Step"].ToString());
        Assert.Equal(Enumerable.Range(0, UndisturbedRun.Steps).Select(i => (long)i), report.AppliedSteps);
        Assert.Equal(UndisturbedRun.Steps, report.Result.Steps);
        Assert.Equal(Enumerable.Range(1, UndisturbedRun.Steps / 5), report.Result.Epochs.Select(e => e.Epoch));
        // Akka's remoting logs the killed node's association as an error of its own; nothing of the run's is one.
        Assert.Empty(sink.Events.Where(e => e.Level >= LogEventLevel.Error && !FromAkka(e)).Select(e => e.RenderMessage()));
        CheckpointAssert.Close(undisturbed.Checkpoint, dir.File("rolled-back.safetensors"), 0, "after a key range's node was killed and the run rolled back");
    }

    private static bool FromAkka(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var source) && source.ToString().StartsWith("\"akka");

    private static bool RolledBack(LogEvent e) => e.MessageTemplate.Text.StartsWith("Rolling back to step");

    private static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }
}
