namespace DistTrainer.Core.Optimizers;

/// <summary>
/// The optimizer a run asks for and its hyperparameters. A null option means "torch.optim's default for this
/// optimizer"; <see cref="IOptimizer.ResolvedSettings"/> holds the values actually used.
/// </summary>
public sealed record OptimizerSettings(
    string Name,
    float? LearningRate = null,
    float? Momentum = null,
    float? Beta1 = null,
    float? Beta2 = null,
    float? Eps = null,
    float? Rho = null,
    float? Alpha = null,
    float? WeightDecay = null);
