namespace DistTrainer.Core.Optimizers;

/// <summary>Builds the optimizer a run names, with torch.optim's defaults for the options it leaves out.</summary>
public static class OptimizerFactory
{
    public static IReadOnlyList<string> Names { get; } =
        ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamw"];

    /// <summary>
    /// An optimizer over a flat vector of <paramref name="parameterCount"/> parameters.
    /// Throws <see cref="InvalidInputException"/> for an unknown name, an option out of range, or an option the
    /// optimizer does not use.
    /// </summary>
    public static IOptimizer Create(OptimizerSettings settings, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var named = settings with { Name = settings.Name.Trim().ToLowerInvariant() };
        return named.Name switch
        {
            // torch.optim.SGD(momentum=m) is momentum SGD: `sgd --momentum m` means the same.
            "sgd" when named.Momentum is not null => new MomentumSgd(named, parameterCount, nesterov: false),
            "sgd" => new Sgd(named, parameterCount),
            "momentum" => new MomentumSgd(named, parameterCount, nesterov: false),
            "nag" => new MomentumSgd(named, parameterCount, nesterov: true),
            "adagrad" => new Adagrad(named, parameterCount),
            "rmsprop" => new RmsProp(named, parameterCount),
            "adadelta" => new Adadelta(named, parameterCount),
            "adam" => new Adam(named, parameterCount, decoupledWeightDecay: false),
            "adamw" => new Adam(named, parameterCount, decoupledWeightDecay: true),
            _ => throw new InvalidInputException(
                $"--optimizer: unknown optimizer '{settings.Name}'; expected one of {string.Join(", ", Names)}"),
        };
    }
}
