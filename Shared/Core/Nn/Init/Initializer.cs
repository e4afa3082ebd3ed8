using System.Globalization;

namespace DistTrainer.Core.Nn.Init;

/// <summary>
/// How a linear layer's weight is drawn. Biases start at zero except under PyTorch's default,
/// which draws them from the same uniform as the weight. Kaiming ("he") uses fan_in and the gain
/// sqrt(2) of ReLU, as torch.nn.init's kaiming_* with nonlinearity='relu'.
/// </summary>
public sealed record Initializer(InitKind Kind, double Std = 0)
{
    public static Initializer Default { get; } = new(InitKind.PyTorchDefault);

    public const string Accepted = "default, zeros, normal:STD, xavier, xavier-normal, he, he-normal";

    /// <summary>Parses "zeros", "normal:0.01", "xavier", "xavier-normal", "he", "he-normal", "default".</summary>
    public static Initializer Parse(string text, string where)
    {
        var parts = text.Split(':');
        Initializer? result = parts[0] switch
        {
            "default" when parts.Length == 1 => Default,
            "zeros" when parts.Length == 1 => new(InitKind.Zeros),
            "xavier" or "xavier-uniform" when parts.Length == 1 => new(InitKind.XavierUniform),
            "xavier-normal" when parts.Length == 1 => new(InitKind.XavierNormal),
            "he" or "he-uniform" or "kaiming" when parts.Length == 1 => new(InitKind.HeUniform),
            "he-normal" or "kaiming-normal" when parts.Length == 1 => new(InitKind.HeNormal),
            "normal" when parts.Length == 2 => ParseNormal(parts[1], where),
            _ => null,
        };
        return result ?? throw new InvalidInputException(
            $"{where}: unknown initialiser '{text}'; expected one of {Accepted}");
    }

    private static Initializer ParseNormal(string std, string where)
    {
        if (!double.TryParse(std, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= 0) || double.IsInfinity(value))
            throw new InvalidInputException($"{where}: normal:{std} needs a finite standard deviation >= 0");
        return new Initializer(InitKind.Normal, value);
    }

    public void Fill(Span<float> weight, Span<float> bias, int fanIn, int fanOut, SeededRandom random)
    {
        switch (Kind)
        {
            case InitKind.PyTorchDefault:
                double bound = 1 / Math.Sqrt(fanIn);
                FillUniform(weight, bound, random);
                FillUniform(bias, bound, random);
                return;
            case InitKind.Zeros:
                weight.Clear();
                break;
            case InitKind.Normal:
                FillNormal(weight, Std, random);
                break;
            case InitKind.XavierUniform:
                FillUniform(weight, Math.Sqrt(6.0 / (fanIn + fanOut)), random);
                break;
            case InitKind.XavierNormal:
                FillNormal(weight, Math.Sqrt(2.0 / (fanIn + fanOut)), random);
                break;
            case InitKind.HeUniform:
                FillUniform(weight, Math.Sqrt(6.0 / fanIn), random);
                break;
            case InitKind.HeNormal:
                FillNormal(weight, Math.Sqrt(2.0 / fanIn), random);
                break;
        }
        bias.Clear();
    }

    public override string ToString() => Kind switch
    {
        InitKind.PyTorchDefault => "default",
        InitKind.Zeros => "zeros",
        InitKind.Normal => string.Create(CultureInfo.InvariantCulture, $"normal:{Std}"),
        InitKind.XavierUniform => "xavier",
        InitKind.XavierNormal => "xavier-normal",
        InitKind.HeUniform => "he",
        _ => "he-normal",
    };

    private static void FillUniform(Span<float> values, double bound, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.Uniform(-bound, bound);
    }

    private static void FillNormal(Span<float> values, double std, SeededRandom random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(std * random.Normal());
    }
}
