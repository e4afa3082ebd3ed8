namespace DistTrainer.Core.Training;

/// <summary>One applied step: the batch's mean loss and accuracy, and the running throughput. A struct: one is made every step.</summary>
public readonly record struct StepReport(int Epoch, int Batch, int BatchesPerEpoch, long Step, long LastStep,
    double Loss, double Accuracy, double SamplesPerSecond);

/// <summary>The end of an epoch (or of a run that stops inside one): training means over its batches and the test-set figures.</summary>
public sealed record EpochReport(int Epoch, long Step, double TrainLoss, double TrainAccuracy,
    double? TestLoss, double? TestAccuracy, double SamplesPerSecond, double Seconds);

/// <summary>
/// How a run ended. <see cref="Failure"/> is set when it stopped early (a NaN loss) and says why;
/// <see cref="Interrupted"/> when it was cancelled between two steps.
/// </summary>
public sealed record TrainingResult(IReadOnlyList<EpochReport> Epochs, long Steps, double Seconds,
    double SamplesPerSecond, string? Failure, bool Interrupted = false);

public interface ITrainingObserver
{
    void OnStep(StepReport report);
    void OnEpoch(EpochReport report);
}
