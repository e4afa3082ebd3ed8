namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// The robust rule of aggregation: a shard whose gradient is far larger than its step's others came from a
/// faulty or malicious worker. Shards differ in rows, so each is measured by the norm of its mean gradient
/// (its gradient's norm times the step's rows over its rows), and a shard smaller than the step's mean share
/// gets the room its noisier mean needs (the square root of mean share over rows). The reference is the
/// median over the step's shards when it has three or more; with two, the median of the shards applied in
/// the last <see cref="HistoryLength"/> (after <see cref="WarmUp"/> of them: until then, and for a step of one
/// shard, there is nothing to compare with and every shard passes). Only a shard larger than
/// <see cref="MaxRatio"/> times the reference is an outlier: a small gradient cannot wreck a step.
/// </summary>
public sealed class ShardNormRule
{
    public const int HistoryLength = 50;
    public const int WarmUp = 10;

    private readonly double[] _history = new double[HistoryLength];
    private readonly List<double> _sorted = new(HistoryLength);
    private int _historyCount, _historyNext;

    /// <param name="maxRatio">The largest ratio a shard may have to the reference; 0 turns the rule off.</param>
    public ShardNormRule(double maxRatio)
    {
        if (maxRatio != 0 && !(maxRatio >= 1))
            throw new ArgumentOutOfRangeException(nameof(maxRatio), maxRatio, "the ratio must be 0 (off) or at least 1");
        MaxRatio = maxRatio;
    }

    public double MaxRatio { get; }
    public bool Enabled => MaxRatio > 0;

    /// <summary>The largest ratio of a shard that was applied: how close a run came to the limit.</summary>
    public double LargestRatio { get; private set; }

    /// <summary>The norm of a shard's mean gradient, up to the step's loss normalizer.</summary>
    public static double MeanNorm(double gradientNorm, int rows, int stepRows) => gradientNorm * stepRows / rows;

    /// <summary>
    /// Writes each shard's ratio to the reference into <paramref name="ratios"/>; false, with every ratio 0, when
    /// the rule is off or has nothing to compare with.
    /// </summary>
    public bool Judge(ReadOnlySpan<double> meanNorms, ReadOnlySpan<int> rows, Span<double> ratios)
    {
        ratios.Clear();
        double reference = !Enabled ? double.NaN
            : meanNorms.Length >= 3 ? Median(meanNorms)
            : meanNorms.Length == 2 && _historyCount >= WarmUp ? Median(_history.AsSpan(0, _historyCount))
            : double.NaN;
        if (double.IsNaN(reference)) return false;
        double meanShare = Sum(rows) / (double)rows.Length;
        for (int i = 0; i < meanNorms.Length; i++)
        {
            double bound = reference * Math.Sqrt(Math.Max(1, meanShare / rows[i]));
            ratios[i] = meanNorms[i] == 0 ? 0 : bound > 0 ? meanNorms[i] / bound : double.PositiveInfinity;
        }
        return true;
    }

    /// <summary>Whether a shard of this ratio is an outlier (an infinite norm always is).</summary>
    public bool IsOutlier(double ratio) => Enabled && !(ratio <= MaxRatio);

    /// <summary>The step's shards, of these mean norms and ratios, were applied: they join the history.</summary>
    public void Applied(ReadOnlySpan<double> meanNorms, ReadOnlySpan<double> ratios)
    {
        foreach (double norm in meanNorms)
        {
            _history[_historyNext] = norm;
            _historyNext = (_historyNext + 1) % HistoryLength;
            _historyCount = Math.Min(_historyCount + 1, HistoryLength);
        }
        foreach (double ratio in ratios) LargestRatio = Math.Max(LargestRatio, ratio);
    }

    private double Median(ReadOnlySpan<double> values)
    {
        _sorted.Clear();
        foreach (double value in values) _sorted.Add(value);
        _sorted.Sort();
        int middle = _sorted.Count / 2;
        return _sorted.Count % 2 == 1 ? _sorted[middle] : (_sorted[middle - 1] + _sorted[middle]) / 2;
    }

    private static long Sum(ReadOnlySpan<int> values)
    {
        long sum = 0;
        foreach (int value in values) sum += value;
        return sum;
    }
}
