using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>Curves over a shared x axis (loss per step, accuracy per epoch), one colour and legend entry per series.</summary>
public static class LinePlot
{
    /// <summary>
    /// Writes the plot. With <paramref name="logY"/> the values are drawn on a log scale, and values that
    /// are not positive and finite (a loss of exactly 0, a diverged one) are left out. <paramref name="legend"/>
    /// moves the legend off where the curves end.
    /// </summary>
    public static string Save(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logY = false,
        Alignment legend = Alignment.UpperRight)
    {
        var plot = Figure.Create(title, xLabel, logY ? $"{yLabel} (log scale)" : yLabel);
        bool countedX = true;
        foreach (var line in series)
        {
            countedX &= line.X.All(x => x == Math.Floor(x));
            var points = line.X.Zip(line.Y)
                .Where(p => double.IsFinite(p.Second) && (!logY || p.Second > 0))
                .Select(p => new Coordinates(p.First, logY ? Math.Log10(p.Second) : p.Second))
                .ToArray();
            var scatter = plot.Add.Scatter(points);
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = points.Length <= 40 ? 6 : 0;
        }
        if (logY) Figure.LogScaleY(plot);
        // Epochs and steps are counts: a tick at epoch 1.5 names nothing.
        if (countedX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(legend);
        return Figure.Save(plot, path);
    }
}
