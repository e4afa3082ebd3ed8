using DistTrainer.Core.Randomness;

namespace DistTrainer.Core.Nn.Init;

/// <summary>
/// Doubles, uniforms and normals from <see cref="SplitMix64"/>, so a seed gives the same initial
/// weights on every platform and .NET version (System.Random's algorithm is not specified).
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private SplitMix64 _generator = new(seed);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (_generator.Next() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Standard normal by Box–Muller; each call draws a fresh pair and keeps one, so the stream has no hidden state.</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
