using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>One histogram of a grid: the values it counts and a short line shown in its corner (a statistic of them).</summary>
public sealed record HistogramPanel(IReadOnlyList<float> Values, string Note);

/// <summary>
/// Distributions side by side: a grid of histograms (say one row per initialisation, one column per layer),
/// each bar the share of the panel's values that fall into it. Every panel spans the same x range, so a
/// narrow distribution looks narrow and a shifted one looks shifted.
/// </summary>
public static class HistogramPlot
{
    public const int Bins = 30;

    /// <summary>
    /// Writes <paramref name="panels"/>[row][column]. With <paramref name="logX"/> the bins are decades apart
    /// (for values spread over orders of magnitude) and values that are not positive are left out: say in
    /// the note how many.
    /// </summary>
    public static string SaveGrid(string path, string title, string xLabel, IReadOnlyList<string> rowNames,
        IReadOnlyList<string> columnNames, IReadOnlyList<IReadOnlyList<HistogramPanel>> panels, bool logX = false)
    {
        var positions = panels.Select(row => row.Select(p => Positions(p.Values, logX)).ToArray()).ToArray();
        var (min, max) = Span(positions.SelectMany(row => row).SelectMany(values => values).ToArray());
        var plots = new Plot?[rowNames.Count, columnNames.Count];
        for (int r = 0; r < rowNames.Count; r++)
            for (int c = 0; c < columnNames.Count; c++)
            {
                var plot = new Plot();
                if (r == 0) plot.Title(columnNames[c], size: 15);
                plot.YLabel(c == 0 ? rowNames[r] : "", size: 15);
                plot.XLabel(r == rowNames.Count - 1 ? (logX ? $"{xLabel} (log scale)" : xLabel) : "", size: 13);
                var bars = Bars(positions[r][c], panels[r][c].Values.Count, min, max);
                plot.Add.Bars(bars).Color = Colors.SteelBlue;
                var note = plot.Add.Annotation(panels[r][c].Note, Alignment.UpperRight);
                note.LabelFontSize = 11;
                note.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
                note.LabelBorderColor = Colors.Gray;
                note.LabelShadowColor = Colors.Transparent;
                plot.Axes.SetLimits(min, max, 0, Math.Max(0.05, bars.Max(b => b.Value)) * 1.3);
                if (logX) plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                {
                    IntegerTicksOnly = true,
                    LabelFormatter = x => $"1e{x:0}",
                };
                plots[r, c] = plot;
            }
        return PanelGrid.Save(path, title, plots, 260 * columnNames.Count + 60, 200 * rowNames.Count + 90);
    }

    /// <summary>Where each value sits on the x axis: itself, or its log10 (positive values only).</summary>
    private static double[] Positions(IReadOnlyList<float> values, bool logX) => logX
        ? values.Where(v => v > 0).Select(v => Math.Log10(v)).ToArray()
        : values.Select(v => (double)v).ToArray();

    /// <summary>
    /// The range of all but the outermost 0.1% of the positions on each side (a few stray values would
    /// squeeze the rest into a bin or two; they count in the end bins), widened around a single value so
    /// that its one bar still has a width.
    /// </summary>
    private static (double Min, double Max) Span(double[] positions)
    {
        if (positions.Length == 0) return (0, 1);
        Array.Sort(positions);
        double min = positions[(int)(0.001 * (positions.Length - 1))], max = positions[(int)Math.Ceiling(0.999 * (positions.Length - 1))];
        if (max - min > 1e-9 * Math.Max(1, Math.Abs(max))) return (min, max);
        double half = Math.Max(0.5, Math.Abs(max) * 0.1);
        return (min - half, max + half);
    }

    /// <summary>One bar per bin: the share of all <paramref name="total"/> values of the panel that fall into it.</summary>
    private static Bar[] Bars(double[] positions, int total, double min, double max)
    {
        var counts = new int[Bins];
        double width = (max - min) / Bins;
        foreach (double x in positions)
            counts[Math.Clamp((int)((x - min) / width), 0, Bins - 1)]++;
        return counts.Select((count, i) => new Bar
        {
            Position = min + (i + 0.5) * width,
            Value = count / (double)Math.Max(1, total),
            Size = width,
            LineWidth = 0,
        }).ToArray();
    }
}
