using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;

namespace DistTrainer.Optim;

/// <summary>torch.optim.Adadelta; lr defaults to 1.0, rho to 0.9, eps to 1e-6, weight decay to 0.</summary>
public sealed class Adadelta(Parameters parameters, double? lr = null, double? rho = null, double? eps = null, double? weightDecay = null)
    : Optimizer(parameters, new OptimizerSettings("adadelta", Single(lr), Eps: Single(eps), Rho: Single(rho), WeightDecay: Single(weightDecay)));
