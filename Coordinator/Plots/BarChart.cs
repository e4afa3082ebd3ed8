using System.Globalization;
using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>
/// One value per named run as horizontal bars, first at the top, each labelled with its value: names of
/// any length stay readable on the left, and the bars start at 0 so that their lengths compare.
/// </summary>
public static class BarChart
{
    public static string Save(string path, string title, string valueLabel, IReadOnlyList<(string Name, double Value)> bars,
        string format = "0.000")
    {
        var plot = Figure.Create(title, valueLabel, "");
        var positions = Enumerable.Range(0, bars.Count).Select(i => (double)(bars.Count - 1 - i)).ToArray();
        var barPlot = plot.Add.Bars(bars.Select((bar, i) => new Bar
        {
            Position = positions[i],
            Value = bar.Value,
            Label = bar.Value.ToString(format, CultureInfo.InvariantCulture),
            FillColor = Colors.SteelBlue,
            LineWidth = 0,
        }).ToArray());
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Left.SetTicks(positions, bars.Select(b => b.Name).ToArray());
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.MajorTickStyle.Length = 0;
        double largest = Math.Max(bars.Max(b => b.Value), 0);
        plot.Axes.SetLimits(0, largest * 1.15, -0.6, bars.Count - 0.4);
        plot.HideGrid();
        return Figure.Save(plot, path);
    }
}
