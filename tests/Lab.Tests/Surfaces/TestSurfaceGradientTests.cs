using DistTrainer.Coordinator.Lab.Surfaces;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Surfaces;

/// <summary>Every surface's analytic gradient against central differences of its value, across its window.</summary>
public sealed class TestSurfaceGradientTests
{
    public static TheoryData<string, double, double> Points => new()
    {
        { "Rosenbrock", -1.5, 2.0 }, { "Rosenbrock", 0.0, 0.0 }, { "Rosenbrock", 0.3, -0.7 }, { "Rosenbrock", 1.7, 2.9 }, { "Rosenbrock", -0.9, 0.81 },
        { "Beale", 1.0, 1.5 }, { "Beale", 0.0, 0.0 }, { "Beale", -0.4, 1.9 }, { "Beale", 3.5, -0.8 }, { "Beale", 2.2, 0.3 },
    };

    [Theory]
    [MemberData(nameof(Points))]
    public void The_gradient_matches_finite_differences(string name, double x, double y)
    {
        ITestSurface surface = name == "Beale" ? new Beale() : new Rosenbrock();
        const double h = 1e-6;
        double dx = (surface.Value(x + h, y) - surface.Value(x - h, y)) / (2 * h);
        double dy = (surface.Value(x, y + h) - surface.Value(x, y - h)) / (2 * h);

        var (gx, gy) = surface.Gradient(x, y);

        double tolerance = 1e-6 * Math.Max(1, Math.Max(Math.Abs(dx), Math.Abs(dy)));
        Assert.True(Math.Abs(gx - dx) <= tolerance, $"∂f/∂x at ({x}, {y}): analytic {gx}, finite difference {dx}");
        Assert.True(Math.Abs(gy - dy) <= tolerance, $"∂f/∂y at ({x}, {y}): analytic {gy}, finite difference {dy}");
    }
}
