using Akka.Actor;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Core.Data;
using Serilog.Core;

namespace DistTrainer.Coordinator.Tests.Scheduling;

/// <summary>
/// Schedulers over a training set of 100 rows in batches of 10 (10 batches an epoch), the loss normalizer the row
/// count, and the ready workers they plan over.
/// </summary>
internal static class Schedulers
{
    public static StepScheduler Create(ShardSizing sizing = ShardSizing.Throughput, bool shuffle = false, bool synchronisedBatchNorm = false,
        int maxAttempts = 5, int? logicalShards = null, bool batchNorm = false) =>
        new(new CoordinatorSettings(
            new TrainingJob("linear:2:2", "cross-entropy", null, null, new DatasetFingerprint("synthetic", 100, 2, 0), 7, synchronisedBatchNorm,
                100, "127.0.0.1", 0, 5),
            100, 10, 1, null, shuffle, 0, 1, sizing, synchronisedBatchNorm || batchNorm, rows => rows, TimeSpan.FromSeconds(10),
            TimeSpan.FromSeconds(10), maxAttempts, LogicalShards: logicalShards), Logger.None);

    /// <summary>Ready workers whose measured throughputs (rows per second) are <paramref name="throughputs"/>, named w1, w2, ...</summary>
    public static List<WorkerEntry> Workers(params double[] throughputs) =>
        throughputs.Select((rowsPerSecond, i) =>
        {
            var worker = new WorkerEntry($"w{i + 1}", ActorRefs.Nobody) { Connected = true };
            worker.Observe(rowsPerSecond);
            return worker;
        }).ToList();
}
