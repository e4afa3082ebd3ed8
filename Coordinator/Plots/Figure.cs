using DistTrainer.Core.Checkpoints;
using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>
/// What every plot of this program shares: a title, axis labels, a legend, one size and one way to be
/// written, so that a reader can compare the PNGs of one report side by side.
/// </summary>
public static class Figure
{
    public const int Width = 900;
    public const int Height = 560;

    public static Plot Create(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        plot.Title(title, size: 18);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>
    /// Shows decades on the vertical axis of a plot whose Y values were given as log10 of the quantity:
    /// ScottPlot draws linear axes only.
    /// </summary>
    public static void LogScaleY(Plot plot)
    {
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
    }

    /// <summary>Writes the PNG atomically (a failed write leaves no partial image), creating its folder; returns the path.</summary>
    public static string Save(Plot plot, string path, int width = Width, int height = Height)
    {
        using var image = plot.GetImage(width, height);
        return SavePng(image, path);
    }

    /// <summary>Writes the PNG of several plots laid out together, as <see cref="Save(Plot, string, int, int)"/> does; returns the path.</summary>
    public static string Save(Multiplot plots, string path, int width, int height)
    {
        using var image = plots.Render(width, height);
        return SavePng(image, path);
    }

    private static string SavePng(Image image, string path)
    {
        AtomicFile.WriteAllBytes(path, image.GetImageBytes(ImageFormat.Png));
        return path;
    }
}
