namespace DistTrainer.Coordinator.Lab.Surfaces;

/// <summary>
/// A 2-D test function of optimisation, f(x, y) with its analytic gradient, a known minimum, the point
/// descents start from, and the window a plot of it shows.
/// </summary>
public interface ITestSurface
{
    string Name { get; }

    /// <summary>The formula, for reports.</summary>
    string Formula { get; }

    (double X, double Y) Minimum { get; }

    (double X, double Y) Start { get; }

    (double Min, double Max) XRange { get; }

    (double Min, double Max) YRange { get; }

    double Value(double x, double y);

    (double Dx, double Dy) Gradient(double x, double y);
}
