using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>
/// Paths over a 2-D function: a heatmap and contour lines of log10 f (the interesting structure of a test
/// function spans decades), its minimum marked with a diamond, and one coloured path per series from its
/// start (an open circle) to where it ended (a filled one).
/// </summary>
public static class ContourPathPlot
{
    private const int Resolution = 200;
    private const int ContourCount = 14;

    public static string Save(string path, string title, Func<double, double, double> f,
        (double Min, double Max) xRange, (double Min, double Max) yRange, (double X, double Y) minimum, IEnumerable<Series> paths)
    {
        var plot = Figure.Create(title, "x", "y");
        var grid = LogGrid(f, xRange, yRange);

        var heatmap = plot.Add.Heatmap(Intensities(grid));
        heatmap.Extent = new CoordinateRect(xRange.Min, xRange.Max, yRange.Min, yRange.Max);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.Opacity = 0.6;
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "log10 f";

        var contours = plot.Add.ContourLines(grid, ContourCount);
        contours.LineColor = Colors.Black.WithAlpha(0.35);
        contours.LabelStyle.IsVisible = false;

        foreach (var line in paths)
        {
            var points = line.X.Zip(line.Y, (x, y) => new Coordinates(x, y)).ToArray();
            var scatter = plot.Add.Scatter(points);
            scatter.LegendText = line.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 0;
            plot.Add.Marker(points[0], MarkerShape.OpenCircle, 10, scatter.Color);
            plot.Add.Marker(points[^1], MarkerShape.FilledCircle, 11, scatter.Color);
        }

        // Last, so that the paths ending on it do not hide it.
        var target = plot.Add.Marker(minimum.X, minimum.Y, MarkerShape.OpenDiamond, 20, Colors.Black);
        target.LineWidth = 2;
        target.LegendText = $"minimum ({minimum.X:0.##}, {minimum.Y:0.##})";

        plot.Axes.SetLimits(xRange.Min, xRange.Max, yRange.Min, yRange.Max);
        plot.HideGrid();
        plot.ShowLegend(Edge.Right);
        return Figure.Save(plot, path, Figure.Width + 200, Figure.Height + 100);
    }

    /// <summary>log10 f on a regular grid over the window; rows run along y.</summary>
    private static Coordinates3d[,] LogGrid(Func<double, double, double> f, (double Min, double Max) xRange, (double Min, double Max) yRange)
    {
        var grid = new Coordinates3d[Resolution, Resolution];
        for (int row = 0; row < Resolution; row++)
        {
            double y = yRange.Min + (yRange.Max - yRange.Min) * row / (Resolution - 1);
            for (int column = 0; column < Resolution; column++)
            {
                double x = xRange.Min + (xRange.Max - xRange.Min) * column / (Resolution - 1);
                grid[row, column] = new Coordinates3d(x, y, Math.Log10(f(x, y) + 1e-6));
            }
        }
        return grid;
    }

    /// <summary>The grid's values as a heatmap draws them: its first row at the top.</summary>
    private static double[,] Intensities(Coordinates3d[,] grid)
    {
        var values = new double[Resolution, Resolution];
        for (int row = 0; row < Resolution; row++)
            for (int column = 0; column < Resolution; column++)
                values[Resolution - 1 - row, column] = grid[row, column].Z;
        return values;
    }
}
