using System.Globalization;
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
        Draw(plot, series, logY);
        plot.ShowLegend(legend);
        return Figure.Save(plot, path);
    }

    /// <summary>
    /// Writes one panel per entry of <paramref name="panels"/>, side by side under one title, on the same x
    /// range and, with <paramref name="sameY"/>, the same y range, so that the panels compare. The panels
    /// draw series of the same names in the same order (so the same colours): one legend, in the last
    /// panel's <paramref name="legend"/> corner, serves them all.
    /// </summary>
    public static string SavePanels(string path, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Title, IReadOnlyList<Series> Series)> panels, bool logY = false, bool sameY = true,
        Alignment legend = Alignment.UpperRight)
    {
        var plots = new Plot[panels.Count];
        var points = new List<Coordinates>();
        for (int i = 0; i < panels.Count; i++)
        {
            plots[i] = Figure.Create(panels[i].Title, xLabel, i == 0 ? logY ? $"{yLabel} (log scale)" : yLabel : "");
            plots[i].Axes.Title.Label.FontSize = 15;
            points.AddRange(Draw(plots[i], panels[i].Series, logY));
            plots[i].HideLegend();
        }
        plots[^1].ShowLegend(legend);
        double left = points.Min(p => p.X), right = points.Max(p => p.X);
        double bottom = points.Min(p => p.Y), top = points.Max(p => p.Y);
        double padX = (right - left) * 0.03, padY = (top - bottom) * 0.05;
        foreach (var plot in plots)
        {
            plot.Axes.SetLimitsX(left - padX, right + padX);
            if (!sameY) continue;
            plot.Axes.SetLimitsY(bottom - padY, top + padY);
            if (logY) LabelLogSteps(plot, bottom, top);
        }
        var grid = new Plot?[1, plots.Length];
        for (int i = 0; i < plots.Length; i++) grid[0, i] = plots[i];
        return PanelGrid.Save(path, title, grid, Figure.Width * 3 / 2, Figure.Height);
    }

    /// <summary>Adds the curves and their axes' ticks to <paramref name="plot"/>; returns the points drawn.</summary>
    private static List<Coordinates> Draw(Plot plot, IEnumerable<Series> series, bool logY)
    {
        var drawn = new List<Coordinates>();
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
            drawn.AddRange(points);
        }
        // Epochs, steps and layers are counts: a tick at epoch 1.5 names nothing.
        if (countedX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (logY && drawn.Count > 0) LabelLogSteps(plot, drawn.Min(p => p.Y), drawn.Max(p => p.Y));
        return drawn;
    }

    /// <summary>
    /// Log-scale ticks for a y range from 10^<paramref name="bottom"/> to 10^<paramref name="top"/>: decades,
    /// or where the range spans less than two of them (one label or none), 1-2-5 steps.
    /// </summary>
    private static void LabelLogSteps(Plot plot, double bottom, double top)
    {
        Figure.LogScaleY(plot);
        if (top - bottom >= 2) return;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int decade = (int)Math.Floor(bottom) - 1; decade <= (int)Math.Ceiling(top); decade++)
            foreach (int step in (int[])[1, 2, 5])
            {
                double y = decade + Math.Log10(step);
                if (y >= bottom - 0.1 && y <= top + 0.1) ticks.AddMajor(y, (step * Math.Pow(10, decade)).ToString("G3", CultureInfo.InvariantCulture));
            }
        plot.Axes.Left.TickGenerator = ticks;
    }
}
