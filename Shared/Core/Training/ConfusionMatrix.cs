namespace DistTrainer.Core.Training;

/// <summary>
/// How a classifier's predictions fall against the true classes: entry [t, p] counts the samples of
/// true class t predicted as p, so row t holds every sample of class t and the diagonal the correct ones.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    /// <summary>The matrix of true <paramref name="labels"/> against <paramref name="predicted"/> classes, sample by sample.</summary>
    public static ConfusionMatrix Of(ReadOnlySpan<int> labels, ReadOnlySpan<int> predicted, int classCount)
    {
        if (labels.Length != predicted.Length)
            throw new ArgumentException($"{labels.Length} labels but {predicted.Length} predictions", nameof(predicted));
        var matrix = new ConfusionMatrix(classCount);
        for (int i = 0; i < labels.Length; i++) matrix.Add(labels[i], predicted[i]);
        return matrix;
    }

    public int ClassCount { get; }

    /// <summary>Samples of true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[Index(actual, predicted)];

    public long Total { get; private set; }

    /// <summary>The diagonal's sum: samples predicted as their own class.</summary>
    public long Correct { get; private set; }

    /// <summary>Correct over total; NaN for an empty matrix.</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    public void Add(int actual, int predicted)
    {
        _counts[Index(actual, predicted)]++;
        Total++;
        if (actual == predicted) Correct++;
    }

    /// <summary>How many samples are of class <paramref name="actual"/> (its row's sum).</summary>
    public long Samples(int actual)
    {
        long sum = 0;
        for (int p = 0; p < ClassCount; p++) sum += this[actual, p];
        return sum;
    }

    /// <summary>The share of class <paramref name="actual"/>'s samples predicted right (its recall); null when it has none.</summary>
    public double? ClassAccuracy(int actual)
    {
        long samples = Samples(actual);
        return samples == 0 ? null : (double)this[actual, actual] / samples;
    }

    private int Index(int actual, int predicted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actual);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(actual, ClassCount);
        ArgumentOutOfRangeException.ThrowIfNegative(predicted);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predicted, ClassCount);
        return actual * ClassCount + predicted;
    }
}
