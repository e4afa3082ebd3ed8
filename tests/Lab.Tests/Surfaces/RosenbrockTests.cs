using DistTrainer.Coordinator.Lab.Surfaces;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Surfaces;

public sealed class RosenbrockTests
{
    private readonly Rosenbrock _surface = new();

    [Fact]
    public void Values_at_known_points()
    {
        Assert.Equal(0, _surface.Value(1, 1));
        Assert.Equal(1, _surface.Value(0, 0));
        // (1 + 1.5)² + 100 (2 − 2.25)² = 6.25 + 6.25
        Assert.Equal(12.5, _surface.Value(-1.5, 2), 12);
        Assert.Equal((0.0, 0.0), _surface.Gradient(1, 1));
    }
}
