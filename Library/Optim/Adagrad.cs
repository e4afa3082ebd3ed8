using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;

namespace DistTrainer.Optim;

/// <summary>torch.optim.Adagrad; lr defaults to 0.01, eps to 1e-10, weight decay to 0.</summary>
public sealed class Adagrad(Parameters parameters, double? lr = null, double? eps = null, double? weightDecay = null)
    : Optimizer(parameters, new OptimizerSettings("adagrad", Single(lr), Eps: Single(eps), WeightDecay: Single(weightDecay)));
