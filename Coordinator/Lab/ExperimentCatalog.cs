using DistTrainer.Coordinator.Lab.Experiments;

namespace DistTrainer.Coordinator.Lab;

/// <summary>Every experiment `lab` knows, in the order `lab all` runs them.</summary>
public static class ExperimentCatalog
{
    public const string All = "all";

    public static IReadOnlyList<IExperiment> Experiments { get; } =
    [
        new XorExperiment(),
        new DepthExperiment(),
        new InitExperiment(),
        new ActivationsExperiment(),
        new OptimizersExperiment(),
        new LearningRateExperiment(),
        new DropoutExperiment(),
        new BatchNormExperiment(),
        new LossesExperiment(),
    ];

    public static IEnumerable<string> Names => Experiments.Select(e => e.Name);

    public static IExperiment? Find(string name) => Experiments.FirstOrDefault(e => e.Name == name);
}
