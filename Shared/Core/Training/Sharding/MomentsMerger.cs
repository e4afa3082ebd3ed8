namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// Merges per-feature (count, mean, biased variance) of several shards into those of their union
/// with Chan et al.'s parallel formula, in double and in the order given, so the same shards always
/// give the same bits. Used for synchronised batch norm and for folding shard statistics into the
/// running ones.
/// </summary>
public sealed class MomentsMerger(int width)
{
    private readonly double[] _mean = new double[width];
    private readonly double[] _m2 = new double[width];

    public int Width { get; } = width;
    public long Count { get; private set; }

    public void Reset()
    {
        Count = 0;
        Array.Clear(_mean);
        Array.Clear(_m2);
    }

    public void Add(int count, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance)
    {
        if (mean.Length != Width || variance.Length != Width)
            throw new ArgumentException($"expected {Width} features, got {mean.Length} means and {variance.Length} variances");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        long total = Count + count;
        double weight = (double)count / total;
        for (int c = 0; c < Width; c++)
        {
            double delta = mean[c] - _mean[c];
            _mean[c] += delta * weight;
            _m2[c] += (double)variance[c] * count + delta * delta * Count * weight;
        }
        Count = total;
    }

    /// <summary>The union's mean and biased variance.</summary>
    public void Result(Span<float> mean, Span<float> variance)
    {
        if (Count == 0) throw new InvalidOperationException("no shard statistics were added");
        for (int c = 0; c < Width; c++)
        {
            mean[c] = (float)_mean[c];
            variance[c] = (float)(_m2[c] / Count);
        }
    }
}
