using DistTrainer.Coordinator.Plots;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Plots;

public sealed class MovingMeanTests
{
    [Fact]
    public void Each_point_is_the_mean_of_its_window_and_the_first_ones_of_what_there_is()
    {
        Assert.Equal([1, 1.5, 2, 3, 4, 7], MovingMean.Of([1, 2, 3, 4, 5, 12], window: 3));
    }

    [Fact]
    public void A_window_of_one_keeps_the_values()
    {
        Assert.Equal([4, -1, 9], MovingMean.Of([4, -1, 9], window: 1));
    }

    [Fact]
    public void A_window_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MovingMean.Of([1], window: 0));
    }
}
