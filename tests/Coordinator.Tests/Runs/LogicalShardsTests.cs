using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Tests;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Runs;

public sealed class LogicalShardsTests
{
    [Fact]
    public void A_new_run_cuts_its_batches_into_as_many_shards_as_the_workers_it_expects_unless_told()
    {
        Assert.Equal(3, LogicalShards.Of(new TrainOptions(), 3, Logger.None));
        Assert.Equal(8, LogicalShards.Of(new TrainOptions { Cluster = new ClusterOptions { Shards = 8 } }, 3, Logger.None));
    }

    [Fact]
    public void Synchronised_batch_norm_has_logical_shards_as_local_batch_norm_has()
    {
        Assert.Equal(3, LogicalShards.Of(new TrainOptions { Cluster = new ClusterOptions { SynchronisedBatchNorm = true } }, 3, Logger.None));
        Assert.Equal(4, LogicalShards.Of(new TrainOptions { Cluster = new ClusterOptions { SynchronisedBatchNorm = true, Shards = 4 } }, 3, Logger.None));
    }

    [Fact]
    public void A_resumed_run_keeps_the_shards_its_checkpoint_recorded_whatever_the_workers_now_unless_told()
    {
        using var dir = new TempDirectory();
        string recorded = Checkpoint(dir.File("recorded.safetensors"), logicalShards: 4);
        string unrecorded = Checkpoint(dir.File("unrecorded.safetensors"), logicalShards: null);

        Assert.Equal(4, ModelCheckpoint.ReadLogicalShards(recorded));
        Assert.Equal(4, LogicalShards.Of(new TrainOptions { Resume = recorded }, 1, Logger.None));
        Assert.Equal(6, LogicalShards.Of(new TrainOptions { Resume = recorded, Cluster = new ClusterOptions { Shards = 6 } }, 1, Logger.None));
        Assert.Equal(2, LogicalShards.Of(new TrainOptions { Resume = unrecorded }, 2, Logger.None));
    }

    private static string Checkpoint(string path, int? logicalShards)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:2:2"), backend, 1);
        ModelCheckpoint.Write(path, ModelCheckpoint.Capture(model, null, plannedSteps: 10, logicalShards));
        return path;
    }
}
