namespace DistTrainer.Coordinator.Plots;

/// <summary>
/// The centres of a square grid of cells over [Min, Max]², at which a classifier of two inputs is scored to
/// draw its decision regions. Cells are numbered row by row from the top (the largest y), as a heatmap draws them.
/// </summary>
public sealed class DecisionGrid
{
    public DecisionGrid(double min, double max, int cells)
    {
        if (!(max > min)) throw new ArgumentException($"the grid's range [{min}, {max}] is empty", nameof(max));
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 2);
        Min = min;
        Max = max;
        Cells = cells;
    }

    public double Min { get; }
    public double Max { get; }
    /// <summary>Cells along each side.</summary>
    public int Cells { get; }
    public int Count => Cells * Cells;

    private double CellSize => (Max - Min) / Cells;

    public double X(int column) => Min + (column + 0.5) * CellSize;

    public double Y(int row) => Max - (row + 0.5) * CellSize;

    /// <summary>Every cell's centre as a model input row (x, y), in cell order.</summary>
    public float[] Inputs()
    {
        var inputs = new float[Count * 2];
        for (int cell = 0; cell < Count; cell++)
        {
            inputs[2 * cell] = (float)X(cell % Cells);
            inputs[2 * cell + 1] = (float)Y(cell / Cells);
        }
        return inputs;
    }

    /// <summary>One score per cell, in cell order, laid out as the heatmap's rows and columns.</summary>
    public double[,] Arrange(IReadOnlyList<double> scores)
    {
        if (scores.Count != Count) throw new ArgumentException($"{scores.Count} scores for {Count} cells", nameof(scores));
        var grid = new double[Cells, Cells];
        for (int cell = 0; cell < Count; cell++) grid[cell / Cells, cell % Cells] = scores[cell];
        return grid;
    }

    /// <summary>The score of every cell's centre.</summary>
    public double[,] Evaluate(Func<float, float, double> score)
    {
        var inputs = Inputs();
        return Arrange(Enumerable.Range(0, Count).Select(cell => score(inputs[2 * cell], inputs[2 * cell + 1])).ToArray());
    }
}
