using DistTrainer.Core.Telemetry.TensorBoard;
using Xunit;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

public sealed class HistogramTests
{
    [Fact]
    public void Equal_width_buckets_between_min_and_max_count_every_value_once()
    {
        var histogram = Histogram.Of([-1, -0.5f, 0, 0.25f, 0.5f, 1, 1], buckets: 4);

        Assert.Equal(-1, histogram.Min);
        Assert.Equal(1, histogram.Max);
        Assert.Equal(7, histogram.Count);
        Assert.Equal(1.25, histogram.Sum);
        Assert.Equal(1 + 0.25 + 0.0625 + 0.25 + 1 + 1, histogram.SumSquares);
        Assert.Equal([-0.5, 0, 0.5, 1], histogram.BucketLimits);
        // A value on an inner edge goes to the bucket that starts there; the maximum to the last.
        Assert.Equal([1.0, 1, 2, 3], histogram.BucketCounts);
    }

    [Fact]
    public void Equal_values_make_one_bucket()
    {
        var histogram = Histogram.Of([3, 3, 3, 3, 3]);

        Assert.Equal([3.0], histogram.BucketLimits);
        Assert.Equal([5.0], histogram.BucketCounts);
    }

    [Fact]
    public void A_tensor_with_an_infinite_value_or_none_at_all_has_no_histogram()
    {
        Assert.Throws<ArgumentException>(() => Histogram.Of([1, float.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => Histogram.Of([float.NaN]));
        Assert.Throws<ArgumentException>(() => Histogram.Of([]));
    }
}
