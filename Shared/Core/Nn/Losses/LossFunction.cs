using DistTrainer.Core.Compute;

namespace DistTrainer.Core.Nn.Losses;

/// <summary>
/// A loss by its command-line name, with PyTorch's reduction: cross-entropy is the mean over rows,
/// the others the mean over all elements. Knows how class labels become targets and predictions.
/// </summary>
public sealed record LossFunction(LossKind Kind)
{
    public static readonly IReadOnlyDictionary<string, LossKind> Names = new Dictionary<string, LossKind>
    {
        ["cross-entropy"] = LossKind.CrossEntropy,
        ["bce-with-logits"] = LossKind.BceWithLogits,
        ["bce"] = LossKind.Bce,
        ["mse"] = LossKind.Mse,
        ["mae"] = LossKind.Mae,
    };

    public static LossFunction Parse(string name) =>
        Names.TryGetValue(name, out var kind)
            ? new LossFunction(kind)
            : throw new InvalidInputException($"--loss: unknown loss '{name}'; expected one of {string.Join(", ", Names.Keys)}");

    public string Name => Names.First(n => n.Value == Kind).Key;

    /// <summary>How many target values one row has: a class index for cross-entropy, else one per output.</summary>
    public int TargetWidth(int outputWidth) => Kind == LossKind.CrossEntropy ? 1 : outputWidth;

    /// <summary>What the summed loss of a batch is divided by to give PyTorch's mean.</summary>
    public int Normalizer(int rows, int outputWidth) => Kind == LossKind.CrossEntropy ? rows : rows * outputWidth;

    /// <summary>
    /// Checks that every label fits a model with <paramref name="outputWidth"/> outputs: a class
    /// index below outputWidth, or with one output a value the loss accepts (0/1 for the BCE losses).
    /// </summary>
    public void ValidateLabels(ReadOnlySpan<int> labels, int outputWidth, string source)
    {
        int limit = outputWidth > 1 || Kind == LossKind.CrossEntropy ? outputWidth : Kind is LossKind.Bce or LossKind.BceWithLogits ? 2 : int.MaxValue;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= limit)
                throw new InvalidInputException(outputWidth > 1 || Kind == LossKind.CrossEntropy
                    ? $"{source}: label {labels[i]} of sample {i} is outside the model's {outputWidth} classes (0..{outputWidth - 1})"
                    : $"{source}: label {labels[i]} of sample {i} is not a 0/1 target for {Name} with one output");
        }
    }

    /// <summary>
    /// Writes the targets of rows with the given labels: the label itself for cross-entropy or a
    /// one-output model, a one-hot row otherwise.
    /// </summary>
    public void EncodeTargets(ReadOnlySpan<int> labels, int outputWidth, Span<float> targets)
    {
        if (Kind == LossKind.CrossEntropy || outputWidth == 1)
        {
            for (int r = 0; r < labels.Length; r++) targets[r] = labels[r];
            return;
        }
        targets[..(labels.Length * outputWidth)].Clear();
        for (int r = 0; r < labels.Length; r++) targets[r * outputWidth + labels[r]] = 1f;
    }

    /// <summary>How many classes predictions range over: one per output, or 0 and 1 for a single output.</summary>
    public static int ClassCount(int outputWidth) => outputWidth > 1 ? outputWidth : 2;

    /// <summary>
    /// The class one row of outputs predicts: the arg-max output when there are several, else the
    /// output thresholded where the loss puts its decision (0 for logits, 0.5 otherwise).
    /// </summary>
    public int Predict(ReadOnlySpan<float> row)
    {
        if (row.Length == 1)
            return row[0] > (Kind == LossKind.BceWithLogits ? 0f : 0.5f) ? 1 : 0;
        int predicted = 0;
        for (int c = 1; c < row.Length; c++)
            if (row[c] > row[predicted]) predicted = c;
        return predicted;
    }

    /// <summary>Counts rows whose <see cref="Predict"/>ed class is their label.</summary>
    public int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int outputWidth)
    {
        int correct = 0;
        for (int r = 0; r < labels.Length; r++)
            if (Predict(outputs.Slice(r * outputWidth, outputWidth)) == labels[r]) correct++;
        return correct;
    }
}
