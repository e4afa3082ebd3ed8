using System.Globalization;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// Fills an optimizer's options with torch's defaults, checks each against its range, and refuses options the
/// optimizer does not use. Each getter returns the option as the double Python would hold: torch computes the
/// derived scalars (1 - beta2, lr / bias_correction1, ...) in double before casting them to float32, and those
/// constants only match when the double is the decimal the user wrote, not the widened float.
/// </summary>
internal sealed class OptionResolver(OptimizerSettings given)
{
    private static readonly (string Option, Func<OptimizerSettings, float?> Value)[] Options =
    [
        ("--lr", s => s.LearningRate),
        ("--momentum", s => s.Momentum),
        ("--beta1", s => s.Beta1),
        ("--beta2", s => s.Beta2),
        ("--eps", s => s.Eps),
        ("--rho", s => s.Rho),
        ("--alpha", s => s.Alpha),
        ("--weight-decay", s => s.WeightDecay),
    ];

    private OptimizerSettings _resolved = new(given.Name);

    public double LearningRate(float torchDefault) =>
        Take(NonNegative("--lr", given.LearningRate ?? torchDefault), value => _resolved with { LearningRate = value });

    /// <summary>Nesterov momentum needs a positive momentum (torch refuses zero), so it passes <paramref name="positive"/>.</summary>
    public double Momentum(float torchDefault, bool positive = false)
    {
        var momentum = Fraction("--momentum", given.Momentum ?? torchDefault);
        if (positive && momentum == 0f)
        {
            throw new InvalidInputException($"--momentum: optimizer '{given.Name}' needs a momentum in (0, 1), got 0");
        }

        return Take(momentum, value => _resolved with { Momentum = value });
    }

    public double Beta1(float torchDefault) =>
        Take(Fraction("--beta1", given.Beta1 ?? torchDefault), value => _resolved with { Beta1 = value });

    public double Beta2(float torchDefault) =>
        Take(Fraction("--beta2", given.Beta2 ?? torchDefault), value => _resolved with { Beta2 = value });

    public double Eps(float torchDefault) =>
        Take(NonNegative("--eps", given.Eps ?? torchDefault), value => _resolved with { Eps = value });

    public double Rho(float torchDefault) =>
        Take(Fraction("--rho", given.Rho ?? torchDefault), value => _resolved with { Rho = value });

    public double Alpha(float torchDefault) =>
        Take(Fraction("--alpha", given.Alpha ?? torchDefault), value => _resolved with { Alpha = value });

    public double WeightDecay(float torchDefault) =>
        Take(NonNegative("--weight-decay", given.WeightDecay ?? torchDefault), value => _resolved with { WeightDecay = value });

    /// <summary>The options in use; throws for an option that was given but that the optimizer never asked for.</summary>
    public OptimizerSettings Resolved()
    {
        foreach (var (option, value) in Options)
        {
            if (value(given) is not null && value(_resolved) is null)
            {
                throw new InvalidInputException($"{option}: optimizer '{given.Name}' does not use this option");
            }
        }

        return _resolved;
    }

    private double Take(float value, Func<float, OptimizerSettings> record)
    {
        _resolved = record(value);
        return AsDecimal(value);
    }

    private static float NonNegative(string option, float value)
    {
        RequireFinite(option, value);
        return value >= 0f ? value : throw new InvalidInputException($"{option}: {Text(value)} is negative");
    }

    private static float Fraction(string option, float value)
    {
        RequireFinite(option, value);
        return value is >= 0f and < 1f
            ? value
            : throw new InvalidInputException($"{option}: {Text(value)} is outside [0, 1)");
    }

    private static void RequireFinite(string option, float value)
    {
        if (!float.IsFinite(value))
        {
            throw new InvalidInputException($"{option}: {Text(value)} is not a finite number");
        }
    }

    private static double AsDecimal(float value) => double.Parse(Text(value), CultureInfo.InvariantCulture);

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
