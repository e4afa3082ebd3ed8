namespace DistTrainer.Coordinator.Lab.Surfaces;

/// <summary>
/// Beale's function f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat plateaus and
/// steep ridges meeting in a narrow curved valley towards the minimum at (3, 0.5); gradients differ by
/// orders of magnitude from place to place, which per-coordinate step sizes absorb.
/// </summary>
public sealed class Beale : ITestSurface
{
    private static readonly double[] Constants = [1.5, 2.25, 2.625];

    public string Name => "Beale";
    public string Formula => "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²";
    public (double X, double Y) Minimum => (3, 0.5);
    public (double X, double Y) Start => (1, 1.5);
    public (double Min, double Max) XRange => (-0.5, 4);
    public (double Min, double Max) YRange => (-1, 2);

    public double Value(double x, double y)
    {
        double sum = 0, power = 1;
        foreach (double c in Constants)
        {
            power *= y;
            double term = c - x + x * power;
            sum += term * term;
        }
        return sum;
    }

    /// <summary>Term k is c_k − x + x·y^k: d/dx = y^k − 1, d/dy = k·x·y^(k−1).</summary>
    public (double Dx, double Dy) Gradient(double x, double y)
    {
        double dx = 0, dy = 0, power = 1;
        for (int k = 1; k <= Constants.Length; k++)
        {
            double previous = power;
            power *= y;
            double term = Constants[k - 1] - x + x * power;
            dx += 2 * term * (power - 1);
            dy += 2 * term * k * x * previous;
        }
        return (dx, dy);
    }
}
