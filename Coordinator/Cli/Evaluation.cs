using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// What `evaluate` found: a checkpoint's mean loss on the samples it scored and how its predictions fell
/// (the confusion matrix, whose diagonal gives the accuracy), with what it was run on.
/// </summary>
public sealed record Evaluation(
    string Checkpoint,
    string Model,
    int ParameterCount,
    string Dataset,
    string Split,
    string LossName,
    double Loss,
    ConfusionMatrix Matrix,
    IReadOnlyList<string> ClassNames,
    string Backend)
{
    public double Accuracy => Matrix.Accuracy;
    public long Samples => Matrix.Total;
}
