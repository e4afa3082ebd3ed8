using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// A run as the coordinator schedules it: the job every worker gets, the batches (size, epochs or
/// steps, shuffling, seed), the first step (after a resume), the workers to wait for, how shards are
/// sized, the time limits that keep every wait bounded, when a worker whose results keep being
/// rejected is quarantined (null: never; a coordinator node sets its configured policy), and how many
/// steps are planned ahead of the one being trained (a coordinator node sets its configured number). With
/// <paramref name="LogicalShards"/>, every batch is cut into that many shards whoever is ready, and
/// <paramref name="Sizing"/> only decides how many of them each worker computes; without (a test's setting), the batch
/// is cut into one shard per ready worker. <paramref name="PlacedRanges"/>: how many key ranges the coordinator places on
/// other nodes before it accepts anyone (0: none), spread over <paramref name="RangeNodes"/> (null: one a range) workers' nodes or
/// (<paramref name="RangesOnPsNodes"/>) nodes of role ps. <paramref name="OtherCoordinators"/>: the addresses a first coordinator
/// keeps asking, every <paramref name="OtherCoordinatorsAskEvery"/> until its first step, whether a coordinator trains the run
/// there (<see cref="FailureKind.Superseded"/>; its node asks them); none for any other run.
/// </summary>
public sealed record CoordinatorSettings(
    TrainingJob Job,
    int TrainCount,
    int BatchSize,
    int Epochs,
    long? Steps,
    bool Shuffle,
    long FirstStep,
    int ExpectWorkers,
    ShardSizing Sizing,
    bool BatchNorm,
    Func<int, int> Normalizer,
    TimeSpan ShardDeadline,
    TimeSpan WorkerWaitTimeout,
    int MaxAttempts = 5,
    QuarantinePolicy? Quarantine = null,
    int? LogicalShards = null,
    int PlansAhead = 1,
    int PlacedRanges = 0,
    int? RangeNodes = null,
    bool RangesOnPsNodes = false,
    IReadOnlyList<string>? OtherCoordinators = null,
    TimeSpan OtherCoordinatorsAskEvery = default);

/// <summary>How a step's work is shared: in proportion to each worker's measured throughput, or equally.</summary>
public enum ShardSizing
{
    Throughput,
    Equal,
}
