using System.Numerics.Tensors;
using DistTrainer.Core.Training;

namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// A tensor's values as TensorBoard's HistogramProto holds them: min, max, count, sum, sum of squares, and
/// equal-width buckets between min and max, each given by its right edge (the first starts at min).
/// </summary>
public sealed record Histogram(double Min, double Max, double Count, double Sum, double SumSquares, double[] BucketLimits, double[] BucketCounts)
{
    /// <summary>TensorBoard's own writers default to 30 buckets.</summary>
    public const int DefaultBuckets = 30;

    /// <summary>The histogram of <paramref name="values"/>, which must be finite and not empty.</summary>
    public static Histogram Of(ReadOnlySpan<float> values, int buckets = DefaultBuckets)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        if (values.IsEmpty) throw new ArgumentException("a histogram needs at least one value", nameof(values));
        if (!Finite.All(values)) throw new ArgumentException("a histogram takes finite values only", nameof(values));
        double min = TensorPrimitives.Min(values), max = TensorPrimitives.Max(values);
        double sum = 0, sumSquares = 0;
        foreach (float value in values)
        {
            sum += value;
            sumSquares += (double)value * value;
        }
        if (min == max) return new Histogram(min, max, values.Length, sum, sumSquares, [max], [values.Length]);

        double width = (max - min) / buckets;
        var counts = new double[buckets];
        foreach (float value in values)
            counts[Math.Min((int)((value - min) / width), buckets - 1)]++;
        var limits = new double[buckets];
        for (int i = 0; i < buckets - 1; i++) limits[i] = min + (i + 1) * width;
        limits[^1] = max;
        return new Histogram(min, max, values.Length, sum, sumSquares, limits, counts);
    }
}
