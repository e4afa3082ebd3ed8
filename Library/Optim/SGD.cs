using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;

namespace DistTrainer.Optim;

/// <summary>
/// torch.optim.SGD: plain gradient descent, heavy-ball momentum when <c>momentum</c> is above 0, Nesterov momentum
/// with <c>nesterov</c> (the CLI's sgd, momentum and nag). lr defaults to 0.01, momentum to 0, weight decay to 0.
/// </summary>
public sealed class SGD(Parameters parameters, double? lr = null, double momentum = 0, double? weightDecay = null, bool nesterov = false)
    : Optimizer(parameters, Choose(lr, momentum, weightDecay, nesterov))
{
    private static OptimizerSettings Choose(double? lr, double momentum, double? weightDecay, bool nesterov)
    {
        if (nesterov) return new("nag", Single(lr), Momentum: (float)momentum, WeightDecay: Single(weightDecay));
        return momentum == 0
            ? new("sgd", Single(lr), WeightDecay: Single(weightDecay))
            : new("sgd", Single(lr), Momentum: (float)momentum, WeightDecay: Single(weightDecay));
    }
}
