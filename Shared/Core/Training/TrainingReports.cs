namespace DistTrainer.Core.Training;

/// <summary>One applied step: its batch's rows, mean loss and accuracy, and the running throughput. A struct: one is made every step.</summary>
public readonly record struct StepReport(int Epoch, int Batch, int BatchesPerEpoch, long Step, long LastStep,
    double Loss, double Accuracy, double SamplesPerSecond, int Rows);

/// <summary>The end of an epoch (or of a run that stops inside one): training means over its batches and the test-set figures.</summary>
public sealed record EpochReport(int Epoch, long Step, double TrainLoss, double TrainAccuracy,
    double? TestLoss, double? TestAccuracy, double SamplesPerSecond, double Seconds);

/// <summary>
/// How a run ended. <see cref="Failure"/> is set when it stopped early and says why, <see cref="FailureKind"/>
/// what kind of cause it was (a NaN loss, a cluster without workers, a checkpoint that could not be written);
/// <see cref="Interrupted"/> when it was cancelled between two steps.
/// </summary>
public sealed record TrainingResult(IReadOnlyList<EpochReport> Epochs, long Steps, double Seconds,
    double SamplesPerSecond, string? Failure, bool Interrupted = false, FailureKind FailureKind = FailureKind.NotFinite);

/// <summary>
/// What a step on a cluster adds to its <see cref="StepReport"/>: where the step's seconds went (the slowest shard's
/// compute, the parameter server's exchange and apply, the whole step from plan to applied weights) and the run's
/// counters so far (shards reassigned, results dropped, data-plane bytes, workers ready and lost). Counters are totals
/// since the run began, so that an observer that misses a report loses no count.
/// </summary>
public readonly record struct ClusterStepReport(long Step, double StepSeconds, double ComputeSeconds, double ExchangeSeconds,
    double ApplySeconds, long ShardsReassigned, long StepRestarts, long Duplicates, long Late, long Rejected,
    long BytesSent, long BytesReceived, int WorkersReady, int WorkersLost)
{
    /// <summary>Exchange beyond the compute it waits for: the transfers, their checksums and the hand-offs between threads.</summary>
    public double CommunicationSeconds => Math.Max(0, ExchangeSeconds - ComputeSeconds);
}

public interface ITrainingObserver
{
    void OnStep(StepReport report);
    void OnEpoch(EpochReport report);

    /// <summary>Follows <see cref="OnStep"/> for a step applied on a cluster; a local run has none.</summary>
    void OnClusterStep(ClusterStepReport report)
    {
    }
}
