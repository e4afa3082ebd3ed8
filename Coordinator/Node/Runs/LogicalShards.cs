using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// The logical shards a cluster run cuts each batch into: part of the run's definition, like its length, since
/// they decide the step's arithmetic (see <see cref="Actors.CoordinatorSettings"/>). A new run takes --shards, else
/// the workers it expects; a resumed run takes what its checkpoint recorded unless --shards says otherwise. With
/// synchronised batch norm too: a worker that holds several shards of a step computes them at the same time.
/// </summary>
public static class LogicalShards
{
    public static int Of(TrainOptions options, int expectedWorkers, ILogger log)
    {
        int? recorded = options.Resume is { } resume ? ModelCheckpoint.ReadLogicalShards(resume) : null;
        int shards = options.Cluster.Shards ?? recorded ?? expectedWorkers;
        if (recorded is { } before && before != shards)
            log.Information("Resuming with {Shards} logical shards as --shards says, not {Recorded} as {Checkpoint} recorded: from here the steps' arithmetic differs",
                shards, before, options.Resume);
        return shards;
    }
}
