using Akka.Configuration;
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
    public async Task A_coordinator_downed_mid_run_without_a_standby_trains_on_from_its_state_on_a_fresh_node_to_the_undisturbed_weights()
    {
        using var data = new TempDirectory();
        using var files = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        EmbeddedCluster.Train(TrainArguments.Parse([.. Job(data.Path), "--workers", "1", "--save", files.File("undisturbed.safetensors")]));

        int port = Ports.Free();
        var sink = new CollectingSink();
        var log = sink.CreateLogger();
        RejoinerNode? worker = null;
        var downer = new DownCoordinatorAtStep(50, () => worker!.Current, RejoinerNode.SeedNode(port));
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. Job(data.Path), "--workers", "0", "--expect-workers", "1", "--port", port.ToString(), "--worker-timeout", "60",
            "--save", files.File("downed.safetensors"),
        ]), downer, log, akka: ConfigurationFactory.Empty));
        worker = new RejoinerNode(RejoinerNode.SeedNode(port), data.Path, log);

        var report = await training.WaitAsync(TimeSpan.FromMinutes(2));
        var end = await worker.End.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(report.Result.Failure);
        Assert.True(downer.DownedAtStep is not null, "the run ended before the coordinator's node was downed");
        Assert.Contains(sink.Events, e => e.MessageTemplate.Text.Contains("founding a fresh node"));
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), report.AppliedSteps);
        Assert.Equal(WorkerEnd.Finished, end);
        CheckpointAssert.Close(files.File("undisturbed.safetensors"), files.File("downed.safetensors"), 0, "downed coordinator");
    }
}
