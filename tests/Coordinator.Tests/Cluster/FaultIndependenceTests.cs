using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using DistTrainer.Worker.Hosting;
using Serilog.Core;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A run's result does not depend on who computed it: every batch is cut into the job's logical shards and their
/// gradients are summed in shard order, so a worker lost mid-run, a worker joining mid-run, a worker whose node is
/// downed and comes back as a fresh one, or fewer workers from the start, end on the very same weights, running statistics and optimizer state (every float compared exactly). The models have dropout
/// and, in one, local batch norm, whose groups are the logical shards.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class FaultIndependenceTests(UndisturbedRun undisturbed) : IClassFixture<UndisturbedRun>
{
    internal const string WithBatchNorm = "linear:16:12,batchnorm:12,relu,dropout:0.3,linear:12:4";
    private const string WithoutBatchNorm = "linear:16:12,tanh,dropout:0.2,linear:12:4";

    /// <summary>
    /// The killed node never leaves: it is downed a second after it is found unreachable, so that the run's nodes leave the
    /// cluster without waiting long on it.
    /// </summary>
    internal static readonly Config QuickDowning = ConfigurationFactory.ParseString("akka.cluster.split-brain-resolver.stable-after = 1s");

    internal static string[] Run(string data, string layers, int steps, string batchNorm = "local") =>
    [
        "--data-dir", data, "--layers", layers, "--optimizer", "adam", "--batch-size", "25", "--steps", steps.ToString(),
        "--seed", "13", "--threads", "1", "--device", "cpu", "--batchnorm-mode", batchNorm, "--shards", "2",
    ];

    /// <summary>
    /// With synchronised batch norm the lone worker computes its two shards at the same time (each waits on the other's
    /// statistics), on two lanes; the parameter server merges the statistics in shard order as for two workers.
    /// </summary>
    [Theory]
    [InlineData(WithBatchNorm, "local")]
    [InlineData(WithoutBatchNorm, "local")]
    [InlineData(WithBatchNorm, "sync")]
    public void One_worker_computing_both_shards_ends_on_the_weights_of_two_workers_computing_one_each(string layers, string batchNorm)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);

        var pair = EmbeddedCluster.Train(TrainArguments.Parse([.. Run(data.Path, layers, 15, batchNorm), "--workers", "2", "--save", dir.File("two.safetensors")]));
        var alone = EmbeddedCluster.Train(TrainArguments.Parse([.. Run(data.Path, layers, 15, batchNorm), "--workers", "1", "--save", dir.File("one.safetensors")]));

        Assert.Equal(15, pair.AppliedSteps.Count);
        Assert.Equal(15, alone.AppliedSteps.Count);
        Assert.Equal([15L, 15L], pair.ShardsPerWorker.Values);
        Assert.Equal([30L], alone.ShardsPerWorker.Values);
        CheckpointAssert.Close(dir.File("two.safetensors"), dir.File("one.safetensors"), 0, "one worker against two");
        Assert.Equal(2, ModelCheckpoint.ReadLogicalShards(dir.File("one.safetensors")));
    }

    /// <summary>
    /// With synchronised batch norm, the survivor's shard of the step after the kill waits on the lost shard's statistics
    /// until that shard, reassigned to the survivor, computes beside it on a second lane. With the parameter server in
    /// three key ranges, against the undisturbed run's one: the ranges change neither, nor do ranges on streams of their own.
    /// </summary>
    [Theory]
    [InlineData("local", 1)]
    [InlineData("sync", 1)]
    [InlineData("local", 3)]
    [InlineData("sync", 2, true)]
    public async Task A_worker_killed_mid_run_leaves_the_final_weights_of_the_undisturbed_run(string batchNorm, int psShards, bool rangeStreams = false)
    {
        using var dir = new TempDirectory();
        string calm = undisturbed.Checkpoint;
        if (batchNorm != "local")
        {
            calm = dir.File("calm.safetensors");
            Assert.Null(EmbeddedCluster.Train(TrainArguments.Parse(
                [.. Run(undisturbed.Data, WithBatchNorm, UndisturbedRun.Steps, batchNorm), "--workers", "2", "--save", calm])).Result.Failure);
        }
        int port = Ports.Free();
        var killer = new KillAtStep(10);
        var sink = new CollectingSink();
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. Run(undisturbed.Data, WithBatchNorm, UndisturbedRun.Steps, batchNorm), "--workers", "1", "--expect-workers", "2",
            "--port", port.ToString(), "--ps-shards", psShards.ToString(), "--save", dir.File("faulted.safetensors"),
        ]), log: sink.CreateLogger(), akka: rangeStreams ? QuickDowning.WithFallback(ParameterServerShardsTests.RangeStreams) : QuickDowning, gradients: killer));
        await using var victim = EmbeddedWorkers.Start(1, RejoinerNode.SeedNode(port), _ => undisturbed.Worker("victim"), Logger.None, WorkerFaultTests.Abrupt);
        killer.Victim = victim.Systems[0];
        var faulted = await training.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Null(faulted.Result.Failure);
        Assert.Equal(10, killer.KilledAtStep);
        Assert.Equal(Enumerable.Range(0, UndisturbedRun.Steps).Select(i => (long)i), faulted.AppliedSteps);
        Assert.Equal(["victim"], faulted.WorkersLost);
        Assert.Equal(1, faulted.ShardsReassigned);
        Assert.Equal(11, faulted.ShardsPerWorker["victim"]);
        Assert.Equal(2 * UndisturbedRun.Steps - 11, faulted.ShardsPerWorker["worker-1"]);
        CheckpointAssert.Close(calm, dir.File("faulted.safetensors"), 0, $"after a worker was killed ({batchNorm} batch norm, {psShards} key ranges)");
        // Killed a few steps before the end, the victim was not unreachable yet when the run ended: the coordinator found it
        // silent and downed it, instead of waiting for the failure detector before any node could leave.
        string victimNode = Akka.Cluster.Cluster.Get(victim.Systems[0]).SelfAddress.ToString();
        Assert.Contains(sink.Events, e => e.MessageTemplate.Text.StartsWith("Downing worker node {Node}: no worker answered")
            && e.Properties["Node"].ToString().Trim('"') == victimNode);
        Assert.DoesNotContain(sink.Events, e => e.MessageTemplate.Text.StartsWith("Worker nodes still in the cluster"));
    }

    [Fact]
    public async Task A_worker_joining_mid_run_leaves_the_final_weights_of_the_undisturbed_run()
    {
        using var dir = new TempDirectory();
        int port = Ports.Free();
        var sink = new CollectingSink();
        var joining = new JoinAtStep(10, () => EmbeddedWorkers.Start(1, RejoinerNode.SeedNode(port), _ => undisturbed.Worker("joiner"), Logger.None),
            () => sink.Events.Any(JoinedTheRun));
        var joined = EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. Run(undisturbed.Data, WithBatchNorm, UndisturbedRun.Steps), "--workers", "1", "--expect-workers", "1", "--port", port.ToString(),
            "--save", dir.File("joined.safetensors"),
        ]), joining, sink.CreateLogger());
        await using var joiner = joining.Joiner;

        Assert.Null(joined.Result.Failure);
        Assert.Equal(10, joining.StartedAtStep);
        var join = Assert.Single(sink.Events, JoinedTheRun);
        Assert.Equal("\"joiner\"", join.Properties["Worker"].ToString());
        long joinedAt = long.Parse(join.Properties["Step"].ToString());
        Assert.InRange(joinedAt, 11, UndisturbedRun.Steps - 1);
        Assert.Equal(Enumerable.Range(0, UndisturbedRun.Steps).Select(i => (long)i), joined.AppliedSteps);
        Assert.InRange(joined.ShardsPerWorker["joiner"], 1, UndisturbedRun.Steps - joinedAt);
        Assert.Equal(2 * UndisturbedRun.Steps, joined.ShardsPerWorker.Values.Sum());
        CheckpointAssert.Close(undisturbed.Checkpoint, dir.File("joined.safetensors"), 0, "after a worker joined");
    }

    private static bool JoinedTheRun(LogEvent e) => e.MessageTemplate.Text.StartsWith("Worker {Worker} joined the run");

    [Fact]
    public async Task A_worker_whose_node_was_downed_mid_run_and_came_back_leaves_the_final_weights_of_the_undisturbed_run()
    {
        using var dir = new TempDirectory();
        int port = Ports.Free();
        var nodes = new List<ActorSystem>();
        var downer = new DownAtStep(10, () => { lock (nodes) return nodes[^1]; });
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. Run(undisturbed.Data, WithBatchNorm, UndisturbedRun.Steps), "--workers", "1", "--expect-workers", "2", "--port", port.ToString(),
            "--save", dir.File("rejoined.safetensors"),
        ]), downer, akka: QuickDowning));
        var worker = Task.Run(() => RejoiningWorker.Run(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [RejoinerNode.SeedNode(port)]),
            undisturbed.Worker("rejoiner"), Logger.None, new TaskCompletionSource().Task, system => { lock (nodes) nodes.Add(system); }));

        var rejoined = await training.WaitAsync(TimeSpan.FromMinutes(1));
        var end = await worker.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(rejoined.Result.Failure);
        Assert.Equal(10, downer.DownedAtStep);
        Assert.Equal(2, nodes.Count);
        Assert.Equal(WorkerEnd.Finished, end);
        Assert.Equal(Enumerable.Range(0, UndisturbedRun.Steps).Select(i => (long)i), rejoined.AppliedSteps);
        // Its first node computed steps 1 to 11 at most: more means the fresh node trained too.
        Assert.InRange(rejoined.ShardsPerWorker["rejoiner"], 12, UndisturbedRun.Steps);
        CheckpointAssert.Close(undisturbed.Checkpoint, dir.File("rejoined.safetensors"), 0, "after a worker's node was downed and came back");
    }
}
