namespace DistTrainer.Coordinator.Plots;

/// <summary>Smooths a noisy curve (a mini-batch loss per step) so that curves drawn together can be told apart.</summary>
public static class MovingMean
{
    /// <summary>Each point's mean over itself and the <paramref name="window"/> − 1 points before it (fewer at the start).</summary>
    public static double[] Of(IReadOnlyList<double> values, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var means = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            means[i] = sum / Math.Min(i + 1, window);
        }
        return means;
    }
}
