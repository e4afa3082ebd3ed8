using Akka.Actor;
using DistTrainer.Shared.Training;

namespace DistTrainer.Coordinator.Actors;

/// <summary>Stop after the step in flight (Ctrl-C, SIGTERM); the run ends as interrupted.</summary>
public sealed record StopTraining : INoSerializationVerificationNeeded
{
    public static readonly StopTraining Instance = new();
}

/// <summary>How a distributed run went: the training result and what the protocol had to absorb.</summary>
public sealed record DistributedRunReport(
    TrainingResult Result,
    AggregationCounts Dropped,
    long ShardsReassigned,
    long StepRestarts,
    IReadOnlyList<string> WorkersLost,
    IReadOnlyDictionary<string, long> ShardsPerWorker,
    IReadOnlyList<long> AppliedSteps,
    StepTimes Times,
    DataPlaneTraffic Traffic);

/// <summary>
/// Seconds the applied steps took from plan to applied weights, and how much of that the slowest
/// shard of each step spent computing (forward, backward, reading its result back); the rest is
/// communication, aggregation and waiting.
/// </summary>
public readonly record struct StepTimes(double StepSeconds, double ComputeSeconds);
