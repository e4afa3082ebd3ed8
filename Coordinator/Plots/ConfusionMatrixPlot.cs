using System.Globalization;
using DistTrainer.Core.Training;
using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>
/// A confusion matrix as a heatmap: true classes top to bottom, predicted classes left to right, each
/// cell's count written in it (up to <see cref="MaxLabelledClasses"/> classes). Cells are coloured by the share of their true class's samples, so that the
/// mistakes of a small class show as clearly as those of a large one.
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Beyond this many classes the cells are too small at the figure's size to hold a count.</summary>
    public const int MaxLabelledClasses = 30;

    public static string Save(string path, string title, ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        int n = matrix.ClassCount;
        var shares = new double[n, n];
        for (int t = 0; t < n; t++)
        {
            long samples = matrix.Samples(t);
            for (int p = 0; p < n; p++) shares[t, p] = samples == 0 ? 0 : (double)matrix[t, p] / samples;
        }

        var plot = Figure.Create(title, "predicted", "true");
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = WhiteToBlue();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Rectangle = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "share of the true class";
        var steps = Enumerable.Range(0, 6).Select(i => i / 5.0).ToArray();
        colorBar.Axis.SetTicks(steps, steps.Select(share => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0}%")).ToArray());

        if (n <= MaxLabelledClasses) WriteCounts(plot, matrix, shares);

        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, classNames.ToArray());
        plot.Axes.Left.SetTicks(positions.Select(x => (double)Row((int)x, n)).ToArray(), classNames.ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        if (classNames.Any(name => name.Length > 3))
        {
            // Names (Fashion-MNIST's garments) are wider than their columns: slanted, they do not run into each other.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -30;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
            plot.Axes.Bottom.MinimumSize = 100;
        }
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        return Figure.Save(plot, path, width: 900, height: 800);
    }

    private static void WriteCounts(Plot plot, ConfusionMatrix matrix, double[,] shares)
    {
        int n = matrix.ClassCount;
        float fontSize = Math.Clamp(160f / n, 8f, 26f);
        for (int t = 0; t < n; t++)
        {
            for (int p = 0; p < n; p++)
            {
                var text = plot.Add.Text(matrix[t, p].ToString(CultureInfo.InvariantCulture), p, Row(t, n));
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                text.LabelFontColor = shares[t, p] > 0.5 ? Colors.White : Colors.Black;
            }
        }
    }

    /// <summary>ScottPlot's Blues runs from dark to white; a confusion matrix reads best with empty cells white.</summary>
    private static IColormap WhiteToBlue()
    {
        var blues = new ScottPlot.Colormaps.Blues();
        return new ScottPlot.Colormaps.CustomInterpolated(Enumerable.Range(0, 11).Select(i => blues.GetColor(1 - i / 10.0)).ToArray());
    }

    /// <summary>Where true class <paramref name="t"/> sits on the vertical axis: class 0 at the top, as in the tables.</summary>
    private static int Row(int t, int n) => n - 1 - t;
}
