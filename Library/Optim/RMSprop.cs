using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;

namespace DistTrainer.Optim;

/// <summary>torch.optim.RMSprop; lr defaults to 0.01, alpha to 0.99, eps to 1e-8, momentum and weight decay to 0.</summary>
public sealed class RMSprop(Parameters parameters, double? lr = null, double? alpha = null, double? eps = null, double? weightDecay = null,
    double? momentum = null)
    : Optimizer(parameters, new OptimizerSettings("rmsprop", Single(lr), Momentum: Single(momentum), Eps: Single(eps), Alpha: Single(alpha),
        WeightDecay: Single(weightDecay)));
