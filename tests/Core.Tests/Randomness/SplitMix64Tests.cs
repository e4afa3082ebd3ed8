using DistTrainer.Core.Randomness;
using Xunit;

namespace DistTrainer.Core.Tests.Randomness;

public sealed class SplitMix64Tests
{
    [Fact]
    public void Matches_the_reference_outputs_for_seed_zero()
    {
        var random = new SplitMix64(0);

        Assert.Equal(0xE220A8397B1DCDAFUL, random.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.Next());
        Assert.Equal(0x06C45D188009454FUL, random.Next());
    }

    [Fact]
    public void Next_below_draws_every_value_of_a_small_range_evenly()
    {
        var random = new SplitMix64(2024);
        var counts = new int[7];

        for (int i = 0; i < 70000; i++)
        {
            counts[random.NextBelow(7)]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 9700, 10300));
    }
}
