using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>Curves over a shared x axis (loss per step, accuracy per epoch), one colour and legend entry per series.</summary>
public static class LinePlot
{
    /// <summary>
    /// Writes the plot. With <paramref name="logY"/> the values are drawn on a log scale, and values that
    /// are not positive and finite (a loss of exactly 0, a diverged one) are left out.
    /// <paramref name="legend"/> is the corner the legend takes: pick the one the curves leave free.
    /// </summary>
    public static string Save(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logY = false,
        Alignment legend = Alignment.UpperRight)
    {
        var plot = Figure.Create(title, xLabel, logY ? $"{yLabel} (log scale)" : yLabel);
        Draw(plot, series, logY, legend);
        return Figure.Save(plot, path);
    }

    /// <summary>
    /// Writes one panel per entry of <paramref name="panels"/>, side by side under one title, sharing their
    /// axis ranges so that the panels compare.
    /// </summary>
    public static string SavePanels(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Title, IReadOnlyList<Series> Series)> panels, bool logY = false, Alignment legend = Alignment.UpperRight)
    {
        var plots = new Plot?[1, panels.Count];
        var points = new List<Coordinates>();
        for (int i = 0; i < panels.Count; i++)
        {
            var plot = Figure.Create(panels[i].Title, xLabel, i == 0 ? logY ? $"{yLabel} (log scale)" : yLabel : "");
            plot.Axes.Title.Label.FontSize = 15;
            points.AddRange(Draw(plot, panels[i].Series, logY, legend));
            plots[0, i] = plot;
        }
        double left = points.Min(p => p.X), right = points.Max(p => p.X);
        double bottom = points.Min(p => p.Y), top = points.Max(p => p.Y);
        double padX = (right - left) * 0.03, padY = (top - bottom) * 0.05;
        foreach (var plot in plots.Cast<Plot>()) plot.Axes.SetLimits(left - padX, right + padX, bottom - padY, top + padY);
        return PanelGrid.Save(path, title, plots, Figure.Width * 3 / 2, Figure.Height);
    }

    /// <summary>Adds the curves, axes and legend to <paramref name="plot"/>; returns the points drawn.</summary>
    private static List<Coordinates> Draw(Plot plot, IEnumerable<Series> series, bool logY, Alignment legend)
    {
        var drawn = new List<Coordinates>();
        bool wholeX = true;
        foreach (var line in series)
        {
            var points = line.X.Zip(line.Y)
                .Where(p => double.IsFinite(p.Second) && (!logY || p.Second > 0))
                .Select(p => new Coordinates(p.First, logY ? Math.Log10(p.Second) : p.Second))
                .ToArray();
            var scatter = plot.Add.Scatter(points);
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = points.Length <= 40 ? 6 : 0;
            wholeX &= line.X.All(x => x == Math.Round(x));
            drawn.AddRange(points);
        }
        // Epochs and layers are counted: a tick at 2.5 would name one that does not exist.
        if (wholeX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (logY) Figure.LogScaleY(plot);
        plot.ShowLegend(legend);
        return drawn;
    }
}
