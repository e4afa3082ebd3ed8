using DistTrainer.Coordinator.Lab.Surfaces;
using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Surfaces;

public sealed class SurfaceDescentTests
{
    private static SurfacePath Follow(ITestSurface surface, string optimizer, float rate, int steps = 1000) =>
        SurfaceDescent.Follow(surface, optimizer, new OptimizerSettings(optimizer, LearningRate: rate), steps);

    [Fact]
    public void A_path_starts_at_the_start_and_keeps_every_step()
    {
        var surface = new Rosenbrock();

        var path = Follow(surface, "sgd", 0.001f, steps: 10);

        Assert.Equal(11, path.X.Count);
        Assert.Equal((surface.Start.X, surface.Start.Y), (path.X[0], path.Y[0]));
        Assert.False(path.Diverged);
        Assert.Equal(10, path.Steps);
        // One SGD step by hand: the gradient at (-1.5, 2) is (-2·2.5 − 400·(−1.5)·(−0.25), 200·(−0.25)) = (−155, −50).
        Assert.Equal(-1.5 + 0.001 * 155, path.X[1], 5);
        Assert.Equal(2 + 0.001 * 50, path.Y[1], 5);
    }

    [Fact]
    public void On_rosenbrock_momentum_and_adam_end_far_closer_to_the_minimum_than_sgd_at_the_same_step_budget()
    {
        var surface = new Rosenbrock();

        var sgd = Follow(surface, "sgd", 0.001f);
        var momentum = Follow(surface, "momentum", 0.001f);
        var adam = Follow(surface, "adam", 0.1f);

        Assert.True(sgd.DistanceToMinimum > 1, $"SGD crawls along the valley: {sgd.DistanceToMinimum} from the minimum");
        Assert.True(momentum.DistanceToMinimum < 0.1 * sgd.DistanceToMinimum, $"momentum: {momentum.DistanceToMinimum}");
        Assert.True(adam.DistanceToMinimum < 0.1 * sgd.DistanceToMinimum, $"Adam: {adam.DistanceToMinimum}");
        Assert.True(adam.FinalValue < 1e-3 && momentum.FinalValue < 1e-3);
    }

    [Fact]
    public void A_rate_past_the_stability_limit_leaves_the_finite_numbers_and_the_path_says_so()
    {
        var path = Follow(new Rosenbrock(), "sgd", 0.01f);

        Assert.True(path.Diverged);
        Assert.True(path.Steps < 100, $"{path.Steps} steps before the point overflowed");
        Assert.True(double.IsFinite(path.X[^1]) && double.IsFinite(path.Y[^1]));
    }
}
