using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

public class StepAggregatorTests
{
    // Three parameters, then one batch-norm layer of width 2 (mean, mean, variance, variance).
    private static readonly ShardPayloadLayout Layout = new(3, [2]);
    private static readonly Shard[] Shards = [new(0, 0, 2), new(1, 2, 3), new(2, 5, 4)];

    private static StepAggregator Begun(long step = 5, int attempt = 1)
    {
        var aggregator = new StepAggregator(Layout);
        aggregator.Begin(step, attempt, Shards);
        return aggregator;
    }

    private static ShardResult Result(int shard, float[] gradients, long step = 5, int attempt = 1, double lossSum = 1.5, int correct = 1)
    {
        float[] statistics = [shard, 10 + shard, 1 + shard, 2 + shard];
        return new ShardResult(step, attempt, shard, Shards[shard].Count, lossSum, correct, [.. gradients, .. statistics]);
    }

    private static ShardVerdict Offer(StepAggregator aggregator, ShardResult result) => aggregator.Offer(result, out _);

    [Fact]
    public void A_NaN_or_infinity_anywhere_in_a_long_gradient_is_refused_and_huge_finite_values_are_taken_with_an_infinite_norm()
    {
        var layout = new ShardPayloadLayout(70, [2]);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int at = 0; at < 74; at++)
            {
                var aggregator = new StepAggregator(layout);
                aggregator.Begin(0, 0, [new Shard(0, 0, 2)]);
                var payload = Enumerable.Range(0, layout.Length).Select(i => i * 0.5f).ToArray();
                payload[at] = bad;

                Assert.Equal(ShardVerdict.NotFinite, aggregator.Offer(new ShardResult(0, 0, 0, 2, 1, 1, payload), out _));
            }
        var huge = new StepAggregator(layout);
        huge.Begin(0, 0, [new Shard(0, 0, 2)]);

        Assert.Equal(ShardVerdict.Accepted, huge.Offer(new ShardResult(0, 0, 0, 2, 1, 1, Enumerable.Repeat(3e38f, layout.Length).ToArray()), out _));
        Assert.Equal(double.PositiveInfinity, huge.GradientNorm(0));
    }

    [Fact]
    public void A_duplicate_is_counted_and_not_summed_twice()
    {
        var aggregator = Begun();
        Assert.Equal(ShardVerdict.Accepted, Offer(aggregator, Result(0, [1, 2, 3])));
        Assert.Equal(ShardVerdict.Accepted, Offer(aggregator, Result(1, [10, 20, 30])));

        var verdict = aggregator.Offer(Result(1, [100, 200, 300]), out var reason);
        Assert.Equal(ShardVerdict.Accepted, Offer(aggregator, Result(2, [0.5f, 0.5f, 0.5f])));

        Assert.Equal(ShardVerdict.Duplicate, verdict);
        Assert.Equal("shard 1 of step 5 was already applied", reason);
        Assert.Equal(1, aggregator.Duplicates);
        var sum = new float[3];
        aggregator.SumGradients(sum);
        Assert.Equal([11.5f, 22.5f, 33.5f], sum);
    }

    [Theory]
    [InlineData(4L, 1)]
    [InlineData(6L, 1)]
    [InlineData(5L, 0)]
    public void A_result_of_another_step_or_attempt_is_late(long step, int attempt)
    {
        var aggregator = Begun();

        var verdict = aggregator.Offer(Result(0, [1, 2, 3], step, attempt), out var reason);

        Assert.Equal(ShardVerdict.Late, verdict);
        Assert.Equal($"step {step} attempt {attempt} while aggregating step 5 attempt 1", reason);
        Assert.Equal(1, aggregator.Late);
        Assert.Equal(Shards, aggregator.Missing());
    }

    public static TheoryData<string, ShardResult, string> Malformed => new()
    {
        { "rows", Result(1, [1, 2, 3]) with { Rows = 4 }, "shard 1 of step 5 reports 4 rows; it has 3" },
        { "short payload", Result(1, [1, 2, 3]) with { Payload = new float[6] }, "shard 1 of step 5 carries 6 floats; expected 7" },
        { "long payload", Result(1, [1, 2, 3]) with { Payload = new float[8] }, "shard 1 of step 5 carries 8 floats; expected 7" },
        { "NaN loss", Result(1, [1, 2, 3], lossSum: double.NaN), "shard 1 of step 5 has loss NaN" },
        { "infinite loss", Result(1, [1, 2, 3], lossSum: double.PositiveInfinity), $"shard 1 of step 5 has loss {double.PositiveInfinity}" },
        { "NaN gradient", Result(1, [1, float.NaN, 3]), "shard 1 of step 5 has a NaN or infinite gradient or statistic" },
        { "infinite gradient", Result(1, [1, 2, float.NegativeInfinity]), "shard 1 of step 5 has a NaN or infinite gradient or statistic" },
        { "infinite statistic", Result(1, [1, 2, 3]) with { Payload = [1, 2, 3, 0, 0, float.PositiveInfinity, 1] },
            "shard 1 of step 5 has a NaN or infinite gradient or statistic" },
        { "unknown shard", Result(1, [1, 2, 3]) with { ShardId = 3 }, "shard 3 does not exist (step 5 has 3)" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_or_non_finite_result_is_rejected_and_the_shard_stays_missing(string what, ShardResult result, string expected)
    {
        var aggregator = Begun();

        var verdict = aggregator.Offer(result, out var reason);

        Assert.Equal(what.StartsWith("NaN") || what.StartsWith("infinite") ? ShardVerdict.NotFinite : ShardVerdict.Rejected, verdict);
        Assert.Equal(expected, reason);
        Assert.Equal(1, aggregator.Rejected);
        Assert.Equal(Shards, aggregator.Missing());
        Assert.False(aggregator.IsComplete, what);
        Assert.Equal(ShardVerdict.Accepted, Offer(aggregator, Result(1, [1, 2, 3])));
    }

    [Fact]
    public void Gradients_are_summed_in_shard_order_whatever_the_arrival_order()
    {
        // Float addition does not associate: 1e8 - 1e8 + 1 is 1, (1 + 1e8) - 1e8 is 0.
        float[][] gradients = [[1e8f, 0.1f, 3], [-1e8f, 0.2f, 1e-8f], [1, 0.3f, -3]];
        float[] inOrder = [(1e8f + -1e8f) + 1, (0.1f + 0.2f) + 0.3f, (3 + 1e-8f) + -3];
        var arrival = Begun();
        foreach (int shard in new[] { 2, 0, 1 })
            Assert.Equal(ShardVerdict.Accepted, Offer(arrival, Result(shard, gradients[shard])));
        var ordered = Begun();
        foreach (int shard in new[] { 0, 1, 2 })
            Assert.Equal(ShardVerdict.Accepted, Offer(ordered, Result(shard, gradients[shard])));

        var sum = new float[3];
        arrival.SumGradients(sum);
        var orderedSum = new float[3];
        ordered.SumGradients(orderedSum);

        Assert.Equal(inOrder.Select(BitConverter.SingleToInt32Bits), sum.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(orderedSum.Select(BitConverter.SingleToInt32Bits), sum.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(1f, sum[0]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Summing_range_by_range_gives_the_whole_sums_bits(int ranges)
    {
        const int length = 1003;
        var layout = new ShardPayloadLayout(length, []);
        var aggregator = new StepAggregator(layout);
        aggregator.Begin(0, 1, Shards);
        var random = new Random(5);
        for (int shard = 0; shard < Shards.Length; shard++)
        {
            float[] payload = [.. Enumerable.Range(0, length).Select(_ => (random.NextSingle() - 0.5f) * MathF.Pow(10, random.Next(-8, 9)))];
            Assert.Equal(ShardVerdict.Accepted, aggregator.Offer(new ShardResult(0, 1, shard, Shards[shard].Count, 0, 0, payload), out _));
        }

        var whole = new float[length];
        aggregator.SumGradients(whole);
        var pieces = new float[length];
        int[] cuts = [.. Enumerable.Range(0, ranges + 1).Select(i => i == ranges ? length : i * (length / ranges) + i % 3)];
        for (int r = 0; r < ranges; r++)
            ShardOrderSum.Into(aggregator, pieces.AsSpan(cuts[r]..cuts[r + 1]), cuts[r]);

        Assert.Equal(whole.Select(BitConverter.SingleToInt32Bits), pieces.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Missing_lists_the_outstanding_shards_in_order_until_the_step_is_complete()
    {
        var aggregator = Begun();
        Assert.Equal(Shards, aggregator.Missing());

        Offer(aggregator, Result(1, [0, 0, 0]));
        Assert.Equal([Shards[0], Shards[2]], aggregator.Missing());
        Assert.False(aggregator.IsComplete);
        Assert.Throws<InvalidOperationException>(() => aggregator.SumGradients(new float[3]));

        Offer(aggregator, Result(2, [0, 0, 0]));
        Offer(aggregator, Result(0, [0, 0, 0]));
        Assert.Empty(aggregator.Missing());
        Assert.True(aggregator.IsComplete);
    }

    [Fact]
    public void The_outcome_and_the_batch_norm_moments_are_those_of_the_whole_step()
    {
        var aggregator = Begun();
        for (int shard = 0; shard < 3; shard++)
            Offer(aggregator, Result(shard, [0, 0, 0], lossSum: 0.25 * (shard + 1), correct: shard));
        var merger = new MomentsMerger(2);

        aggregator.MergeMoments(0, merger);
        var mean = new float[2];
        var variance = new float[2];
        merger.Result(mean, variance);

        Assert.Equal(new BatchOutcome(1.5, 3, 9), aggregator.Outcome());
        // Shard s has (mean s, variance 1 + s) and (mean 10 + s, variance 2 + s) over 2, 3, 4 rows.
        double expectedMean = (0 * 2 + 1 * 3 + 2 * 4) / 9.0;
        double expectedVariance = (1 * 2 + 2 * 3 + 3 * 4 + Enumerable.Range(0, 3).Sum(s => Shards[s].Count * Math.Pow(s - expectedMean, 2))) / 9;
        Assert.Equal(expectedMean, mean[0], 6);
        Assert.Equal(10 + expectedMean, mean[1], 5);
        Assert.Equal(expectedVariance, variance[0], 6);
        Assert.Equal(expectedVariance + 1, variance[1], 6);
    }

    [Fact]
    public void Beginning_a_new_attempt_drops_what_the_old_one_held()
    {
        var aggregator = Begun();
        Offer(aggregator, Result(0, [1, 1, 1]));

        aggregator.Begin(5, 2, Shards);

        Assert.Equal(Shards, aggregator.Missing());
        Assert.Equal(ShardVerdict.Late, Offer(aggregator, Result(1, [1, 1, 1])));
        Assert.Equal(ShardVerdict.Accepted, Offer(aggregator, Result(0, [1, 1, 1], attempt: 2)));
        Assert.Throws<ArgumentException>(() => aggregator.Begin(6, 0, []));
    }

    [Fact]
    public void A_withdrawn_shard_is_counted_as_rejected_released_and_awaited_again()
    {
        var released = new List<float[]>();
        var aggregator = new StepAggregator(Layout, released.Add);
        aggregator.Begin(5, 1, Shards);
        Offer(aggregator, Result(0, [3, 4, 0]));
        var outlier = Result(1, [3000, 4000, 0]);
        Offer(aggregator, outlier);
        Offer(aggregator, Result(2, [0, 0, 0]));

        Assert.Equal((5.0, 5000.0, 0.0), (aggregator.GradientNorm(0), aggregator.GradientNorm(1), aggregator.GradientNorm(2)));
        aggregator.Withdraw(1);

        Assert.False(aggregator.IsComplete);
        Assert.Equal(1, aggregator.Rejected);
        Assert.Same(outlier.Payload, Assert.Single(released));
        Assert.Equal([Shards[1]], aggregator.Missing());
        Assert.Throws<InvalidOperationException>(() => aggregator.GradientNorm(1));
        Assert.Equal(ShardVerdict.Accepted, Offer(aggregator, Result(1, [1, 1, 1])));
        var sum = new float[3];
        aggregator.SumGradients(sum);
        Assert.Equal([4f, 5f, 1f], sum);
    }
    /// <summary>A head (key ranges) carries the statistics alone; its gradient's norm and finiteness come from its parts.</summary>
    [Fact]
    public void A_head_is_taken_with_the_norm_its_parts_found_and_refused_when_a_part_was_not_finite()
    {
        var heads = new StepAggregator(new ShardPayloadLayout(0, [2]));
        heads.Begin(5, 1, [Shards[0], Shards[1]]);
        ShardResult Head(int shard) => new(5, 1, shard, Shards[shard].Count, 1.5, 1, [shard, 10 + shard, 1 + shard, 2 + shard]);

        Assert.Equal(ShardVerdict.Accepted, heads.OfferHead(Head(0), 2.5f, gradientsFinite: true, out _));
        Assert.Equal(ShardVerdict.NotFinite, heads.OfferHead(Head(1), float.NaN, gradientsFinite: false, out var reason));
        Assert.Equal("shard 1 of step 5 has a NaN or infinite gradient or statistic", reason);
        var badStatistics = Head(1) with { Payload = [1, float.PositiveInfinity, 1, 1] };
        Assert.Equal(ShardVerdict.NotFinite, heads.OfferHead(badStatistics, 1f, gradientsFinite: true, out _));
        Assert.Equal(ShardVerdict.Rejected, heads.OfferHead(Head(1) with { Payload = [1, 2, 3] }, 1f, gradientsFinite: true, out reason));
        Assert.Equal("shard 1 of step 5 carries 3 floats; expected 4", reason);
        Assert.Equal(ShardVerdict.Accepted, heads.OfferHead(Head(1), 4f, gradientsFinite: true, out _));

        Assert.True(heads.IsComplete);
        Assert.Equal(2.5, heads.GradientNorm(0));
        Assert.Equal(4.0, heads.GradientNorm(1));
        Assert.Equal(3, heads.Rejected);
    }
}
