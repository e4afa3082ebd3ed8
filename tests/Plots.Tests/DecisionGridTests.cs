using DistTrainer.Coordinator.Plots;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Plots;

public sealed class DecisionGridTests
{
    [Fact]
    public void Cells_are_centred_and_numbered_row_by_row_from_the_top()
    {
        var grid = new DecisionGrid(-1, 1, cells: 4);

        Assert.Equal([-0.75, -0.25, 0.25, 0.75], Enumerable.Range(0, 4).Select(grid.X));
        Assert.Equal([0.75, 0.25, -0.25, -0.75], Enumerable.Range(0, 4).Select(grid.Y));
        var inputs = grid.Inputs();
        Assert.Equal(32, inputs.Length);
        Assert.Equal([-0.75f, 0.75f, -0.25f, 0.75f], inputs[..4]);
        Assert.Equal([0.75f, -0.75f], inputs[^2..]);
    }

    [Fact]
    public void Scores_land_in_the_heatmap_cell_of_their_point()
    {
        var grid = new DecisionGrid(0, 3, cells: 3);

        var scores = grid.Evaluate((x, y) => 10 * x + y);

        Assert.Equal(10 * 0.5 + 2.5, scores[0, 0], 6);
        Assert.Equal(10 * 2.5 + 2.5, scores[0, 2], 6);
        Assert.Equal(10 * 0.5 + 0.5, scores[2, 0], 6);
        Assert.Equal(10 * 1.5 + 1.5, scores[1, 1], 6);
    }

    [Fact]
    public void Arrange_refuses_a_score_count_other_than_the_cell_count()
    {
        var grid = new DecisionGrid(0, 1, cells: 2);

        Assert.Throws<ArgumentException>(() => grid.Arrange([1, 2, 3]));
    }
}
