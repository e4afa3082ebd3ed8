using Akka.Actor;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Actors;

/// <summary>Stop after the step in flight (Ctrl-C, SIGTERM); the run ends as interrupted.</summary>
public sealed record StopTraining : INoSerializationVerificationNeeded
{
    public static readonly StopTraining Instance = new();
}

/// <summary>How a distributed run went: the training result and what the protocol had to absorb (workers quarantined for rejected results among it).</summary>
public sealed record DistributedRunReport(
    TrainingResult Result,
    AggregationCounts Dropped,
    long ShardsReassigned,
    long StepRestarts,
    IReadOnlyList<string> WorkersLost,
    IReadOnlyDictionary<string, long> ShardsPerWorker,
    IReadOnlyList<long> AppliedSteps,
    StepTimes Times,
    DataPlaneTraffic Traffic,
    IReadOnlyList<string> WorkersQuarantined);

/// <summary>
/// Seconds the applied steps took from plan to applied weights (<paramref name="StepSeconds"/>), summed
/// over the run, and where they went: the slowest shard of each step computing (forward, backward,
/// reading its result back: <paramref name="ComputeSeconds"/>), the parameter server's exchange (weights
/// out to the last result in, which holds the compute: <see cref="ServerTimes"/>) and its apply. Exchange
/// minus compute is communication: both transfers with their checksums and the hand-offs between threads.
/// The rest of a step is control: the coordinator's messages through Akka.
/// </summary>
public readonly record struct StepTimes(double StepSeconds, double ComputeSeconds, double ExchangeSeconds, double ApplySeconds)
{
    public double CommunicationSeconds => Math.Max(0, ExchangeSeconds - ComputeSeconds);
    public double ControlSeconds => Math.Max(0, StepSeconds - ExchangeSeconds - ApplySeconds);
}
