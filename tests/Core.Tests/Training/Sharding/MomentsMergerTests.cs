using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

public class MomentsMergerTests
{
    private const int Width = 4;

    /// <summary>Rows of <see cref="Width"/> features, each feature with its own centre and spread.</summary>
    private static double[][] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, Width).Select(c => (c - 1.5) * 3 + (c + 1) * (random.NextDouble() * 2 - 1) + seed * 0.1).ToArray())
            .ToArray();
    }

    /// <summary>Mean and biased variance of each feature, in double, rounded to float as a worker sends them.</summary>
    private static (float[] Mean, float[] Variance) Moments(double[][] rows)
    {
        var mean = new float[Width];
        var variance = new float[Width];
        for (int c = 0; c < Width; c++)
        {
            double mu = rows.Average(r => r[c]);
            mean[c] = (float)mu;
            variance[c] = (float)rows.Average(r => (r[c] - mu) * (r[c] - mu));
        }
        return (mean, variance);
    }

    private static (float[] Mean, float[] Variance) Merge(IEnumerable<double[][]> shards)
    {
        var merger = new MomentsMerger(Width);
        foreach (var shard in shards)
        {
            var (mean, variance) = Moments(shard);
            merger.Add(shard.Length, mean, variance);
        }
        var result = (new float[Width], new float[Width]);
        merger.Result(result.Item1, result.Item2);
        return result;
    }

    [Fact]
    public void Unequal_shards_merge_to_the_moments_of_their_concatenation()
    {
        double[][][] shards = [Rows(5, 1), Rows(17, 2), Rows(42, 3)];
        var (expectedMean, expectedVariance) = Moments(shards.SelectMany(s => s).ToArray());

        var (mean, variance) = Merge(shards);

        for (int c = 0; c < Width; c++)
        {
            Assert.True(Math.Abs(mean[c] - expectedMean[c]) <= 1e-6 * Math.Max(1, Math.Abs(expectedMean[c])),
                $"feature {c}: mean {mean[c]:G9} vs {expectedMean[c]:G9}");
            Assert.True(Math.Abs(variance[c] - expectedVariance[c]) <= 1e-6 * expectedVariance[c],
                $"feature {c}: variance {variance[c]:G9} vs {expectedVariance[c]:G9}");
        }
        // The shards' plain average differs: the check above sees whether rows weigh in.
        double averagedVariance = shards.Average(s => Moments(s).Variance[0]);
        Assert.True(Math.Abs(averagedVariance - expectedVariance[0]) > 1e-3 * expectedVariance[0]);
    }

    [Fact]
    public void The_same_shards_in_the_same_order_give_the_same_bits_after_a_reset()
    {
        double[][][] shards = [Rows(42, 3), Rows(5, 1), Rows(17, 2)];
        var merger = new MomentsMerger(Width);
        var first = (Mean: new float[Width], Variance: new float[Width]);
        var second = (Mean: new float[Width], Variance: new float[Width]);

        foreach (var shard in shards) merger.Add(shard.Length, Moments(shard).Mean, Moments(shard).Variance);
        merger.Result(first.Mean, first.Variance);
        merger.Reset();
        foreach (var shard in shards) merger.Add(shard.Length, Moments(shard).Mean, Moments(shard).Variance);
        merger.Result(second.Mean, second.Variance);

        Assert.Equal(64, merger.Count);
        Assert.Equal(first.Mean.Select(BitConverter.SingleToInt32Bits), second.Mean.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(first.Variance.Select(BitConverter.SingleToInt32Bits), second.Variance.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void One_shard_merges_to_itself()
    {
        var (mean, variance) = Moments(Rows(9, 4));

        var merged = Merge([Rows(9, 4)]);

        Assert.Equal(mean, merged.Mean);
        Assert.Equal(variance, merged.Variance);
    }

    [Fact]
    public void Wrong_widths_an_empty_shard_or_no_shard_are_refused()
    {
        var merger = new MomentsMerger(Width);

        Assert.Throws<ArgumentException>(() => merger.Add(3, new float[Width - 1], new float[Width]));
        Assert.Throws<ArgumentException>(() => merger.Add(3, new float[Width], new float[Width + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => merger.Add(0, new float[Width], new float[Width]));
        Assert.Throws<InvalidOperationException>(() => merger.Result(new float[Width], new float[Width]));
    }
}
