using DistTrainer.Coordinator.Lab.Surfaces;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Surfaces;

/// <summary>Checks a surface's analytic gradient against central differences of its value.</summary>
internal static class FiniteDifferences
{
    public static void AssertGradientMatches(ITestSurface surface, double x, double y)
    {
        const double h = 1e-6;
        double dx = (surface.Value(x + h, y) - surface.Value(x - h, y)) / (2 * h);
        double dy = (surface.Value(x, y + h) - surface.Value(x, y - h)) / (2 * h);
        var (gx, gy) = surface.Gradient(x, y);
        double tolerance = 1e-6 * Math.Max(1, Math.Max(Math.Abs(dx), Math.Abs(dy)));
        Assert.True(Math.Abs(gx - dx) <= tolerance, $"{surface.Name} ∂f/∂x at ({x}, {y}): analytic {gx}, finite difference {dx}");
        Assert.True(Math.Abs(gy - dy) <= tolerance, $"{surface.Name} ∂f/∂y at ({x}, {y}): analytic {gy}, finite difference {dy}");
    }
}
