namespace DistTrainer.Coordinator.Lab.Surfaces;

/// <summary>
/// Rosenbrock's banana function f = (1 - x)² + 100 (y - x²)²: a long, curved, flat-bottomed valley whose
/// walls are about a thousand times steeper than its floor, so a step that is stable across the valley
/// crawls along it.
/// </summary>
public sealed class Rosenbrock : ITestSurface
{
    public string Name => "Rosenbrock";
    public string Formula => "f(x, y) = (1 − x)² + 100 (y − x²)²";
    public (double X, double Y) Minimum => (1, 1);
    public (double X, double Y) Start => (-1.5, 2);
    public (double Min, double Max) XRange => (-2, 2);
    public (double Min, double Max) YRange => (-1, 3);

    public double Value(double x, double y)
    {
        double across = y - x * x;
        return (1 - x) * (1 - x) + 100 * across * across;
    }

    public (double Dx, double Dy) Gradient(double x, double y)
    {
        double across = y - x * x;
        return (-2 * (1 - x) - 400 * x * across, 200 * across);
    }
}
