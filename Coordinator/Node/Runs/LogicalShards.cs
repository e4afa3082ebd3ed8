using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// The logical shards a cluster run cuts each batch into: part of the run's definition, like its length, since
/// they decide the step's arithmetic (see <see cref="Actors.CoordinatorSettings"/>). A new run takes --shards, else
/// the workers it expects; a resumed run takes what its checkpoint recorded unless --shards says otherwise; with
/// synchronised batch norm there are none (one shard per ready worker).
/// </summary>
public static class LogicalShards
{
    public static int? Of(TrainOptions options, int expectedWorkers, ILogger log)
    {
        if (options.Cluster.SynchronisedBatchNorm) return null;
        int? recorded = options.Resume is { } resume ? ModelCheckpoint.ReadLogicalShards(resume) : null;
        int shards = options.Cluster.Shards ?? recorded ?? expectedWorkers;
        if (recorded is { } before && before != shards)
            log.Information("Resuming with {Shards} logical shards as --shards says, not {Recorded} as {Checkpoint} recorded: from here the steps' arithmetic differs",
                shards, before, options.Resume);
        return shards;
    }
}
