using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The parameter server sums shards in shard order, not arrival order: two runs with the same seed
/// and 3 equally cut workers write byte-identical checkpoints, with local batch norm and dropout.
/// </summary>
public class ClusterDeterminismTests
{
    [Fact]
    public void Two_runs_with_the_same_seed_write_identical_checkpoints()
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        string[] run =
        [
            "--data-dir", data.Path, "--layers", "linear:16:24,batchnorm:24,relu,dropout:0.3,linear:24:4", "--optimizer", "adam",
            "--batch-size", "25", "--steps", "20", "--seed", "11", "--threads", "1", "--device", "cpu",
            "--workers", "3", "--batchnorm-mode", "local", "--shard-sizing", "equal",
        ];

        var first = EmbeddedCluster.Train(TrainArguments.Parse([.. run, "--save", dir.File("first.safetensors")]));
        var second = EmbeddedCluster.Train(TrainArguments.Parse([.. run, "--save", dir.File("second.safetensors")]));

        Assert.Equal(20, first.AppliedSteps.Count);
        Assert.Equal(20, second.AppliedSteps.Count);
        Assert.Equal(3, first.ShardsPerWorker.Count);
        Assert.Equal(File.ReadAllBytes(dir.File("first.safetensors")), File.ReadAllBytes(dir.File("second.safetensors")));
    }
}
