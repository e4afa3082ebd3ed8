namespace DistTrainer.Coordinator.Plots;

/// <summary>One named line of a plot: its points in order, drawn with markers when there are few of them.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    public static Series Of(string name, IReadOnlyList<double> y) =>
        new(name, Enumerable.Range(1, y.Count).Select(i => (double)i).ToArray(), y);
}
