using DistTrainer.Core.Optimizers;

namespace DistTrainer.Coordinator.Lab.Surfaces;

/// <summary>
/// Runs a real optimizer of the trainer (<see cref="OptimizerFactory"/>, <see cref="IOptimizer.Step"/>) on a
/// 2-element parameter vector (x, y) whose gradient is the surface's, not a network's: the path it takes
/// shows what its update rule does with a curved valley or a plateau.
/// </summary>
public static class SurfaceDescent
{
    /// <summary>
    /// Takes <paramref name="steps"/> steps from the surface's start; stops early when the point stops being
    /// finite (the rate was too large) and keeps the last finite point.
    /// </summary>
    public static SurfacePath Follow(ITestSurface surface, string label, OptimizerSettings settings, int steps)
    {
        var optimizer = OptimizerFactory.Create(settings, 2);
        float[] position = [(float)surface.Start.X, (float)surface.Start.Y];
        var gradient = new float[2];
        var xs = new List<double>(steps + 1) { position[0] };
        var ys = new List<double>(steps + 1) { position[1] };
        for (int step = 0; step < steps; step++)
        {
            var (dx, dy) = surface.Gradient(position[0], position[1]);
            gradient[0] = (float)dx;
            gradient[1] = (float)dy;
            optimizer.Step(position, gradient);
            if (!float.IsFinite(position[0]) || !float.IsFinite(position[1])) break;
            xs.Add(position[0]);
            ys.Add(position[1]);
        }
        return new SurfacePath(surface, label, settings, xs, ys, steps);
    }
}

/// <summary>The points an optimizer visited on a surface, its start first.</summary>
public sealed record SurfacePath(ITestSurface Surface, string Label, OptimizerSettings Settings,
    IReadOnlyList<double> X, IReadOnlyList<double> Y, int StepsAsked)
{
    public int Steps => X.Count - 1;

    /// <summary>Whether the path left the finite numbers before its last step.</summary>
    public bool Diverged => Steps < StepsAsked;

    public double FinalValue => Surface.Value(X[^1], Y[^1]);

    public double DistanceToMinimum => Math.Sqrt(Math.Pow(X[^1] - Surface.Minimum.X, 2) + Math.Pow(Y[^1] - Surface.Minimum.Y, 2));
}
