using System.Globalization;

namespace DistTrainer.Nn;

/// <summary>
/// nn.Dropout(p): in training zeroes each element with probability p and scales the rest by 1 / (1 - p); in
/// evaluation passes its input through. The mask follows from the model's seed and step, as in the CLI's runs.
/// </summary>
public sealed class Dropout : Module
{
    /// <summary>Dropout with probability <paramref name="p"/> in [0, 1] (torch's default 0.5).</summary>
    public Dropout(double p = 0.5)
    {
        if (!(p is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "the dropout probability must be in [0, 1]");
        P = (float)p;
    }

    /// <summary>The probability of dropping an element, as the engine holds it (float32).</summary>
    public float P { get; }

    internal override string Entry => string.Create(CultureInfo.InvariantCulture, $"dropout:{P:R}");
}
