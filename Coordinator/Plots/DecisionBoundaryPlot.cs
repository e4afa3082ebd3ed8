using DistTrainer.Core.Data;
using ScottPlot;

namespace DistTrainer.Coordinator.Plots;

/// <summary>
/// One classifier of two inputs seen from above: the probability it gives class 1 over a grid (a step
/// function gives only 0 and 1), and the labelled points it was trained on.
/// </summary>
public sealed record DecisionRegions(string Title, DecisionGrid Grid, double[,] ClassOneProbability, Dataset Points);

/// <summary>
/// Decision regions of two-class classifiers side by side, one panel each: the plane shaded by the class
/// the model picks (pale where it is unsure), the boundary where it is even, and the points in their
/// class colours, so a point on the wrong colour is one the model gets wrong.
/// </summary>
public static class DecisionBoundaryPlot
{
    private const int PanelSize = 520;
    private static readonly Color ClassZero = Color.FromHex("#1f77b4");
    private static readonly Color ClassOne = Color.FromHex("#ff7f0e");
    private static readonly IColormap Shading = new ScottPlot.Colormaps.CustomInterpolated(
        [ClassZero.Lighten(0.55), Colors.White, ClassOne.Lighten(0.55)]);

    /// <summary>Writes the panels in a grid <paramref name="columns"/> wide; returns the path.</summary>
    public static string Save(string path, IReadOnlyList<DecisionRegions> panels, int columns = 2)
    {
        if (panels.Count == 0) throw new ArgumentException("no panels to draw", nameof(panels));
        columns = Math.Min(columns, panels.Count);
        int rows = (panels.Count + columns - 1) / columns;
        var figure = new Multiplot(Panel(panels[0])) { Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns) };
        foreach (var panel in panels.Skip(1)) figure.AddPlot(Panel(panel));
        return Figure.Save(figure, path, columns * PanelSize, rows * PanelSize);
    }

    private static Plot Panel(DecisionRegions panel)
    {
        var grid = panel.Grid;
        var plot = Figure.Create(panel.Title, "x₁", "x₂");
        var heatmap = plot.Add.Heatmap(panel.ClassOneProbability);
        heatmap.Extent = new CoordinateRect(grid.Min, grid.Max, grid.Min, grid.Max);
        heatmap.Colormap = Shading;
        heatmap.ManualRange = new ScottPlot.Range(0, 1);

        var boundary = plot.Add.ContourLines(Surface(panel), 1);
        boundary.ContourLineLevels = [0.5];
        boundary.LineColor = Colors.Black;
        boundary.LineWidth = 2;
        boundary.LinePattern = LinePattern.Dashed;
        boundary.LabelStyle.IsVisible = false;

        foreach (var (label, color) in new[] { (0, ClassZero), (1, ClassOne) })
        {
            var points = Enumerable.Range(0, panel.Points.Count).Where(i => panel.Points.Labels[i] == label)
                .Select(i => new Coordinates(panel.Points.Row(i)[0], panel.Points.Row(i)[1])).ToArray();
            var markers = plot.Add.Markers(points, MarkerShape.FilledCircle, 16, color);
            markers.MarkerStyle.OutlineColor = Colors.Black;
            markers.MarkerStyle.OutlineWidth = 1.5f;
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"class {label}", MarkerStyle = markers.MarkerStyle });
        }
        // Contour lines have no legend entry of their own.
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "decision boundary", LineStyle = boundary.LineStyle });
        plot.Axes.SetLimits(grid.Min, grid.Max, grid.Min, grid.Max);
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private static Coordinates3d[,] Surface(DecisionRegions panel)
    {
        var grid = panel.Grid;
        var surface = new Coordinates3d[grid.Cells, grid.Cells];
        for (int row = 0; row < grid.Cells; row++)
            for (int column = 0; column < grid.Cells; column++)
                surface[row, column] = new Coordinates3d(grid.X(column), grid.Y(row), panel.ClassOneProbability[row, column]);
        return surface;
    }
}
