using System.Globalization;

namespace DistTrainer.Nn;

/// <summary>nn.LeakyReLU(negativeSlope): x where x &gt; 0, else negativeSlope * x.</summary>
public sealed class LeakyReLU : Module
{
    /// <summary>A leaky ReLU with torch's default slope 0.01 unless given.</summary>
    public LeakyReLU(double negativeSlope = 0.01)
    {
        if (!double.IsFinite(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "the slope must be finite");
        NegativeSlope = (float)negativeSlope;
    }

    /// <summary>The slope for negative inputs, as the engine holds it (float32).</summary>
    public float NegativeSlope { get; }

    internal override string Entry => string.Create(CultureInfo.InvariantCulture, $"leaky_relu:{NegativeSlope:R}");
}
