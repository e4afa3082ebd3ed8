using ScottPlot;
using ScottPlot.MultiplotLayouts;

namespace DistTrainer.Coordinator.Plots;

/// <summary>Several plots in a grid under one title, written as one PNG: small multiples that a reader compares at a glance.</summary>
public static class PanelGrid
{
    private const int TitleHeight = 50;

    /// <summary>Writes <paramref name="panels"/> (rows x columns; null leaves a cell empty) under <paramref name="title"/>; returns the path.</summary>
    public static string Save(string path, string title, Plot?[,] panels, int width, int height)
    {
        int rows = panels.GetLength(0), columns = panels.GetLength(1);
        // The grid's cells are equal, so a panel spans several of them and the title one: about TitleHeight pixels.
        int span = Math.Max(1, (int)Math.Round((height - TitleHeight) / (double)(TitleHeight * rows)));
        int cellRows = rows * span + 1;
        var header = new Plot();
        header.Title(title, size: 20);
        foreach (var axis in header.Axes.GetAxes()) axis.IsVisible = false;
        header.Axes.Frame(false);
        header.HideGrid();
        var multiplot = new Multiplot(header);
        var layout = new CustomGrid();
        layout.Set(header, new GridCell(0, 0, cellRows, 1, 1, 1));
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
            {
                if (panels[r, c] is not { } panel) continue;
                multiplot.AddPlot(panel);
                layout.Set(panel, new GridCell(1 + r * span, c, cellRows, columns, span, 1));
            }
        multiplot.Layout = layout;
        return Figure.Save(multiplot, path, width, height);
    }
}
