using DistTrainer.Coordinator.Lab.Surfaces;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Surfaces;

public sealed class BealeTests
{
    private readonly Beale _surface = new();

    [Fact]
    public void Values_at_known_points()
    {
        Assert.Equal(0, _surface.Value(3, 0.5), 12);
        Assert.Equal(0, _surface.Gradient(3, 0.5).Dx, 12);
        Assert.Equal(0, _surface.Gradient(3, 0.5).Dy, 12);
        // At x = 0 every term is its constant: 1.5² + 2.25² + 2.625².
        Assert.Equal(2.25 + 5.0625 + 6.890625, _surface.Value(0, 7), 12);
        // (1.5 − 1 + 1)² + (2.25 − 1 + 1)² + (2.625 − 1 + 1)²
        Assert.Equal(2.25 + 5.0625 + 6.890625, _surface.Value(1, 1), 12);
    }
}
