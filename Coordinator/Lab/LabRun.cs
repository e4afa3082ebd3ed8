using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Lab;

/// <summary>One training run of an experiment: what it was called, every step and epoch it reported, and how it ended.</summary>
public sealed record LabRun(string Label, TrainingRecorder Curves, TrainingResult Result, double Seconds)
{
    public EpochReport? LastEpoch => Curves.Epochs.Count > 0 ? Curves.Epochs[^1] : null;

    /// <summary>Each step's training loss, in order.</summary>
    public double[] StepLosses => Curves.Steps.Select(s => s.Loss).ToArray();

    /// <summary>Whether the run stopped early because the loss or a gradient stopped being finite.</summary>
    public bool Diverged => Result.Failure is not null;
}
