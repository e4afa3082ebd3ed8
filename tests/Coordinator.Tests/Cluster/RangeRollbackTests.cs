using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Actors;
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
        var (training, victim) = StartWithVictim(dir, port, sink, killer, "--ps-shards", ranges);
        await using var _ = victim;
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

    /// <summary>
    /// The killed node never comes back: the fresh node waits --worker-timeout for the two workers the run expects, then
    /// places both ranges on the one that registered and trains on with it, to the undisturbed run's weights.
    /// </summary>
    [Fact]
    public async Task A_range_servers_node_lost_for_good_leaves_the_run_to_the_worker_left_which_ends_on_the_undisturbed_runs_weights()
    {
        using var dir = new TempDirectory();
        int port = Ports.Free();
        var sink = new CollectingSink();
        var killer = new KillAtStep(12);
        var (training, victim) = StartWithVictim(dir, port, sink, killer, "--ps-shards", "2", "--worker-timeout", "10");
        await using var _ = victim;
        var report = await training.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Null(report.Result.Failure);
        Assert.Equal(12, killer.KilledAtStep);
        Assert.Equal("10", Assert.Single(sink.Events, RolledBack).Properties["Step"].ToString());
        var wentOn = Assert.Single(sink.Events, e => e.MessageTemplate.Text.StartsWith("Only {Ready} of {Expected} workers were ready"));
        Assert.Equal(["0", "2", "10"], new[] { "Ready", "Expected", "Step" }.Select(p => wentOn.Properties[p].ToString()));
        Assert.Equal([2, 1], sink.Events.Where(e => e.MessageTemplate.Text.StartsWith("Key ranges placed on")).Select(ServingNodes));
        Assert.Equal(Enumerable.Range(0, UndisturbedRun.Steps).Select(i => (long)i), report.AppliedSteps);
        Assert.Empty(sink.Events.Where(e => e.Level >= LogEventLevel.Error && !FromAkka(e)).Select(e => e.RenderMessage()));
        CheckpointAssert.Close(undisturbed.Checkpoint, dir.File("rolled-back.safetensors"), 0, "after a key range's node was lost for good");
    }

    /// <summary>
    /// The run, on an embedded worker and the victim, a worker node of its own that <paramref name="killer"/> kills, with the key
    /// ranges on the workers' nodes.
    /// </summary>
    private (Task<DistributedRunReport> Training, EmbeddedWorkers Victim) StartWithVictim(TempDirectory dir, int port, CollectingSink sink,
        KillAtStep killer, params string[] more)
    {
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. FaultIndependenceTests.Run(undisturbed.Data, FaultIndependenceTests.WithBatchNorm, UndisturbedRun.Steps), "--workers", "1",
            "--expect-workers", "2", "--port", port.ToString(), "--ps-placement", "workers", "--save", dir.File("rolled-back.safetensors"), .. more,
        ]), log: sink.CreateLogger(), akka: FaultIndependenceTests.QuickDowning, gradients: killer));
        var victim = EmbeddedWorkers.Start(1, RejoinerNode.SeedNode(port), _ => undisturbed.Worker("victim"), Logger.None, WorkerFaultTests.Abrupt);
        killer.Victim = victim.Systems[0];
        return (training, victim);
    }

    /// <summary>How many data-plane endpoints serve the ranges of a "Key ranges placed" event ("0 at HOST:PORT, 1 at HOST:PORT").</summary>
    private static int ServingNodes(LogEvent placed) =>
        placed.Properties["Servers"].ToString().Trim('"').Split(", ").Select(server => server.Split(" at ")[1]).Distinct().Count();

    private static bool FromAkka(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var source) && source.ToString().StartsWith("\"akka");

    private static bool RolledBack(LogEvent e) => e.MessageTemplate.Text.StartsWith("Rolling back to step");

    private static async Task Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }
}
