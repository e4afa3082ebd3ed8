using System.Numerics;
using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class L2PenaltyTests
{
    [Fact]
    public void Penalty_adds_the_decay_times_the_weight_in_both_forms()
    {
        var penalty = new L2Penalty(0.5f);

        Assert.Equal(1.5f, penalty.Apply(0.5f, 2f));
        Assert.Equal(new Vector<float>(1.5f), penalty.Apply(new Vector<float>(0.5f), new Vector<float>(2f)));
    }

    [Fact]
    public void Zero_decay_leaves_the_gradient_even_next_to_an_infinite_weight()
    {
        var penalty = new L2Penalty(0f);

        Assert.Equal(0.25f, penalty.Apply(0.25f, float.PositiveInfinity));
        Assert.Equal(
            new Vector<float>(0.25f), penalty.Apply(new Vector<float>(0.25f), new Vector<float>(float.PositiveInfinity)));
    }
}
