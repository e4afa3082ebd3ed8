using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;

namespace DistTrainer.Optim;

/// <summary>torch.optim.Adam; lr defaults to 1e-3, betas to (0.9, 0.999), eps to 1e-8, weight decay (added to the gradient) to 0.</summary>
public sealed class Adam(Parameters parameters, double? lr = null, (double Beta1, double Beta2)? betas = null, double? eps = null,
    double? weightDecay = null)
    : Optimizer(parameters, new OptimizerSettings("adam", Single(lr), Beta1: Single(betas?.Beta1), Beta2: Single(betas?.Beta2), Eps: Single(eps),
        WeightDecay: Single(weightDecay)));
