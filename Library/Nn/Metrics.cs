using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Losses;

namespace DistTrainer.Nn;

/// <summary>Scores of a batch's outputs against its labels, decided as the CLI's accuracy decides them.</summary>
public static class Metrics
{
    /// <summary>
    /// How many rows predict their label: the arg-max output, or with a single output (a probability) whether it
    /// is above 0.5. <paramref name="labels"/> holds one class label a row.
    /// </summary>
    public static int CountCorrect(Tensor output, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != output.Rows)
            throw new ArgumentException($"{labels.Count} labels for {output.Rows} rows", nameof(labels));
        var values = labels.ToArray();
        var classes = new int[values.Length];
        for (int r = 0; r < classes.Length; r++) classes[r] = (int)values[r];
        return new LossFunction(LossKind.CrossEntropy).CountCorrect(output.ToArray(), classes, output.Columns);
    }
}
