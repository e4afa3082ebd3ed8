using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Actors;

/// <summary>Stop after the step in flight (Ctrl-C, SIGTERM); the run ends as interrupted.</summary>
public sealed record StopTraining : INoSerializationVerificationNeeded
{
    public static readonly StopTraining Instance = new();
}

/// <summary>
/// How a distributed run went: the training result and what the protocol had to absorb (workers quarantined for rejected results
/// among it). <paramref name="NodeBytesPerStep"/>: what crossed each node's link per step, from the first step this coordinator
/// applied to its last.
/// </summary>
public sealed record DistributedRunReport(
    TrainingResult Result,
    AggregationCounts Dropped,
    long ShardsReassigned,
    long StepRestarts,
    IReadOnlyList<string> WorkersLost,
    IReadOnlyDictionary<string, long> ShardsPerWorker,
    AppliedStepLog AppliedSteps,
    StepTimes Times,
    DataPlaneTraffic Traffic,
    IReadOnlyList<string> WorkersQuarantined,
    IReadOnlyList<NodeBytesPerStep>? NodeBytesPerStep = null)
{
    /// <summary>
    /// With <see cref="FailureKind.Superseded"/>, the cluster addresses of the coordinators that train the run now, for this
    /// one to stand by for (the standbys it handed the run to); empty otherwise.
    /// </summary>
    public IReadOnlyList<string> SupersededBy { get; init; } = [];

    /// <summary>
    /// This report with the steps the parameter server applied after the last one the coordinator counted, below
    /// <paramref name="stepCount"/> (its optimizer's step count when it stopped), from <paramref name="firstStep"/> on
    /// when none was counted. As a node goes down the coordinator can stop before the step sent ahead is applied and
    /// reported: that step is in the weights the next life starts from, so it counts as applied (once); its loss and
    /// times went with its report.
    /// </summary>
    public DistributedRunReport CountingAppliedBelow(long stepCount, long firstStep)
    {
        long next = AppliedSteps.Count > 0 ? AppliedSteps[^1] + 1 : firstStep;
        if (next >= stepCount) return this;
        return this with
        {
            Result = Result with { Steps = Result.Steps + (stepCount - next) },
            AppliedSteps = AppliedSteps.Then(Enumerable.Range(0, checked((int)(stepCount - next))).Select(i => next + i)),
        };
    }

    /// <summary>
    /// This report without what a rollback to the state of <paramref name="stepCount"/> steps takes back: the steps applied from
    /// there on and the epochs that ended after it, which the next coordinator node trains again and counts once.
    /// </summary>
    public DistributedRunReport RolledBackTo(long stepCount)
    {
        var kept = new AppliedStepLog(AppliedSteps.Where(step => step < stepCount));
        if (kept.Count == AppliedSteps.Count) return this;
        return this with
        {
            Result = Result with
            {
                Steps = Math.Min(Result.Steps, stepCount),
                Epochs = [.. Result.Epochs.Where(epoch => epoch.Step <= stepCount)],
            },
            AppliedSteps = kept,
        };
    }

    /// <summary>
    /// One report of a run trained by this coordinator node and then by <paramref name="later"/>, a fresh one that went on
    /// from its state: every count over both, the ending, the failure and the bytes per step the later one's.
    /// </summary>
    public DistributedRunReport Then(DistributedRunReport later)
    {
        double seconds = Times.StepSeconds + later.Times.StepSeconds;
        double samplesPerSecond = seconds <= 0 ? 0
            : (Result.SamplesPerSecond * Times.StepSeconds + later.Result.SamplesPerSecond * later.Times.StepSeconds) / seconds;
        var shards = new Dictionary<string, long>(ShardsPerWorker);
        foreach (var (worker, count) in later.ShardsPerWorker) shards[worker] = shards.GetValueOrDefault(worker) + count;
        return new DistributedRunReport(
            later.Result with
            {
                Epochs = [.. Result.Epochs, .. later.Result.Epochs],
                // Where the run stands, as each node's meter counts it from the run's start: the later node's.
                Steps = later.Result.Steps,
                Seconds = Result.Seconds + later.Result.Seconds,
                SamplesPerSecond = samplesPerSecond,
            },
            new AggregationCounts(Dropped.Duplicates + later.Dropped.Duplicates, Dropped.Late + later.Dropped.Late,
                Dropped.Rejected + later.Dropped.Rejected, Dropped.Unassigned + later.Dropped.Unassigned),
            ShardsReassigned + later.ShardsReassigned,
            StepRestarts + later.StepRestarts,
            [.. WorkersLost, .. later.WorkersLost],
            shards,
            AppliedSteps.Then(later.AppliedSteps),
            new StepTimes(seconds, Times.ComputeSeconds + later.Times.ComputeSeconds, Times.ExchangeSeconds + later.Times.ExchangeSeconds,
                Times.ApplySeconds + later.Times.ApplySeconds),
            new DataPlaneTraffic(Traffic.BytesSent + later.Traffic.BytesSent, Traffic.BytesReceived + later.Traffic.BytesReceived),
            [.. WorkersQuarantined, .. later.WorkersQuarantined.Except(WorkersQuarantined)],
            later.NodeBytesPerStep);
    }
}

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
