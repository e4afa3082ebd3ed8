using DistTrainer.Core.Randomness;

namespace DistTrainer.Core.Compute;

/// <summary>
/// A counter-based generator: the value for (seed, index) depends on nothing else, so every
/// backend (SIMD loops, GPU threads) and every way of sharding a batch draws the same dropout mask.
/// SplitMix64's finaliser over seed + (index + 1) * golden ratio.
/// </summary>
public static class CounterRng
{
    public static float Uniform(ulong seed, long index)
    {
        ulong z = SplitMix64.Mix(seed + (ulong)(index + 1) * 0x9E3779B97F4A7C15UL);
        return (z >> 40) * (1f / 16777216f);
    }

    /// <summary>Mixes a run seed with a step and a layer index into the seed of one dropout mask.</summary>
    public static ulong Derive(ulong seed, long step, int layer)
    {
        ulong z = seed ^ ((ulong)step * 0xD1B54A32D192ED03UL) ^ ((ulong)(layer + 1) * 0xABC98388FB8FAC03UL);
        z = (z ^ (z >> 33)) * 0xFF51AFD7ED558CCDUL;
        return z ^ (z >> 33);
    }
}
