using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A poisoned worker among three good ones on the embedded cluster: one that scales its gradients by -1000, and
/// one that sends finite 1e30 values (whose squares overflow: Adam's state would freeze the weights). Its shards
/// are rejected as outliers and computed again by the others, it is quarantined after three, and the run ends
/// done on the weights one process reaches (only the summation order differs), so on its accuracy too.
/// </summary>
[Collection(AloneCollection.Name)]
public class RobustAggregationTests
{
    private const int Steps = 20;

    public static TheoryData<string> Poisons() => ["scaled by -1000", "1e30"];

    private static Action<Span<float>> Poison(string name) => name == "1e30"
        ? gradient => gradient.Fill(1e30f)
        : gradient =>
        {
            foreach (ref float g in gradient) g *= -1000;
        };

    [Theory]
    [MemberData(nameof(Poisons))]
    public async Task A_poisoned_workers_shards_are_rejected_it_is_quarantined_and_the_run_reaches_the_clean_weights(string poison)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        int port = Ports.Free();
        string seedNode = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{port}";
        string[] run =
        [
            "--data-dir", data.Path, "--layers", "linear:16:12,tanh,linear:12:4", "--optimizer", "adam", "--lr", "0.01",
            "--batch-size", "25", "--steps", Steps.ToString(), "--seed", "7", "--threads", "1", "--device", "cpu",
        ];
        TrainingResult single;
        using (var local = TrainingRun.Prepare(TrainArguments.Parse([.. run, "--workers", "0"]), Logger.None))
        {
            single = local.Execute(new TrainingRecorder(), Logger.None, CancellationToken.None).Result;
            ModelCheckpoint.Save(dir.File("single.safetensors"), local.Model, local.Optimizer);
        }

        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
            [.. run, "--workers", "3", "--expect-workers", "4", "--port", port.ToString(), "--save", dir.File("cluster.safetensors")])));
        await using var poisoned = await PoisonedWorker.StartAsync(seedNode, "poisoned", data.Path, Poison(poison));
        var report = await training.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Null(report.Result.Failure);
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), report.AppliedSteps);
        Assert.Equal(["poisoned"], report.WorkersQuarantined);
        Assert.Empty(report.WorkersLost);
        Assert.InRange(report.Dropped.Rejected, 3, 4);
        // Its 3-4 results were the ones rejected; none was applied, so it is credited with no shard of an applied step.
        Assert.False(report.ShardsPerWorker.ContainsKey("poisoned"), $"a poisoned result was applied: {string.Join(", ", report.ShardsPerWorker)}");
        CheckpointAssert.Close(dir.File("single.safetensors"), dir.File("cluster.safetensors"), 1e-5, $"a worker sending gradients {poison}");
        Assert.Equal(single.Epochs[^1].TrainAccuracy, report.Result.Epochs[^1].TrainAccuracy, 0.01);
    }
}
