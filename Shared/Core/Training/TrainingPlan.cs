namespace DistTrainer.Core.Training;

/// <summary>
/// How long and on what order to train: <see cref="Steps"/> when given, else <see cref="Epochs"/>
/// whole epochs, counted from wherever the optimizer's step count stands (0, or a checkpoint's).
/// </summary>
public sealed record TrainingPlan(int BatchSize, int Epochs, long? Steps, bool Shuffle, ulong Seed);
