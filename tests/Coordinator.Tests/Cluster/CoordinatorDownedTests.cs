using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core.Tests;
using DistTrainer.Worker.Hosting;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A coordinator whose node the cluster removes mid-run with no standby to take over (the workers' side of a partition
/// downs a coordinator cut off from them) keeps the parameter server's state, founds a fresh node on its address and
/// trains on once the worker, back as a fresh node too, registers again: the run ends at its planned total, every step
/// applied once over both nodes, on every float of the same job run undisturbed.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class CoordinatorDownedTests
{
    private const int Steps = 200;

    private static string[] Job(string data) =>
    [
        "--data-dir", data, "--layers", "linear:16:8,tanh,linear:8:4", "--optimizer", "adam", "--batch-size", "20",
        "--steps", Steps.ToString(), "--threads", "1", "--device", "cpu", "--seed", "5",
    ];

    [Fact]
    public Task A_coordinator_downed_mid_run_without_a_standby_trains_on_from_its_state_on_a_fresh_node_to_the_undisturbed_weights() =>
        DownedAtStep50TrainsOn(throughPort: null);

    /// <summary>
    /// A coordinator that joined the cluster through another node, as one that took a run over joins through its standby
    /// node, loses that node with its own: its fresh node finds no cluster through it and founds one on its own address,
    /// where the worker, listing both, registers again. Joined through the lost node alone, it would wait for workers that
    /// could never reach it.
    /// </summary>
    [Fact]
    public Task A_coordinator_downed_with_the_node_it_joined_through_founds_the_cluster_itself_and_the_worker_finds_it() =>
        DownedAtStep50TrainsOn(throughPort: Ports.Free());

    /// <param name="throughPort">A node the coordinator joins through, lost as the coordinator is downed; null: it founds the cluster.</param>
    private static async Task DownedAtStep50TrainsOn(int? throughPort)
    {
        using var data = new TempDirectory();
        using var files = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        EmbeddedCluster.Train(TrainArguments.Parse([.. Job(data.Path), "--workers", "1", "--save", files.File("undisturbed.safetensors")]));

        int port = Ports.Free();
        string coordinator = RejoinerNode.SeedNode(port);
        var sink = new CollectingSink();
        var log = sink.CreateLogger();
        string? through = throughPort is { } p ? RejoinerNode.SeedNode(p) : null;
        var throughNode = through is null ? null : ClusterNode.Start(new ClusterNodeOptions("127.0.0.1", throughPort, SeedNodes: [through]), log);
        RejoinerNode? worker = null;
        var downer = new DownCoordinatorAtStep(50, () => worker!.Current, coordinator, alongside: () => _ = throughNode?.Terminate());
        try
        {
            var options = TrainArguments.Parse(
            [
                .. Job(data.Path), "--workers", "0", "--expect-workers", "1", "--port", port.ToString(), "--worker-timeout", "60",
                "--save", files.File("downed.safetensors"),
            ]);
            var training = Task.Run(() => EmbeddedCluster.Train(
                through is null ? options : options with { Cluster = options.Cluster with { SeedNodes = [through] } },
                downer, log, akka: ConfigurationFactory.Empty));
            worker = new RejoinerNode(through is null ? [coordinator] : [through, coordinator], data.Path, log);

            var report = await training.WaitAsync(TimeSpan.FromMinutes(2));
            var end = await worker.End.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Null(report.Result.Failure);
            Assert.True(downer.DownedAtStep is not null, "the run ended before the coordinator's node was downed");
            Assert.Contains(sink.Events, e => e.MessageTemplate.Text.Contains("founding a fresh node"));
            Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), report.AppliedSteps);
            Assert.Equal(WorkerEnd.Finished, end);
            CheckpointAssert.Close(files.File("undisturbed.safetensors"), files.File("downed.safetensors"), 0, "downed coordinator");
        }
        finally
        {
            if (throughNode is not null) await throughNode.Terminate();
        }
    }
}
