using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>The parameter server's screening of shard results as a plain class: who may send a shard, and which shards of a complete step are outliers.</summary>
public sealed class ShardScreeningTests
{
    // Two parameters, no batch norm: a shard's gradient norm is that of its two floats.
    private static readonly ShardPayloadLayout Layout = new(2, []);
    private static readonly Shard[] FourShards = [new(0, 0, 4), new(1, 4, 4), new(2, 8, 4), new(3, 12, 4)];

    private static ShardScreening Begun(double ratio = 10)
    {
        var screening = new ShardScreening(new ShardNormRule(ratio));
        screening.Begin(new BeginStep(3, 1, FourShards, ["w1", "w2", "w3", "w4"]));
        return screening;
    }

    /// <summary>Step 3 attempt 1 complete, shard i from worker w(i+1) with gradient <paramref name="gradients"/>[i] in both parameters.</summary>
    private static StepAggregator Complete(ShardScreening screening, params float[] gradients)
    {
        var aggregator = new StepAggregator(Layout);
        aggregator.Begin(3, 1, FourShards);
        for (int i = 0; i < gradients.Length; i++)
        {
            Assert.Equal(ShardVerdict.Accepted, aggregator.Offer(new ShardResult(3, 1, i, 4, 1, 1, [gradients[i], gradients[i]]), out _));
            screening.Accepted(i, $"w{i + 1}");
        }
        return aggregator;
    }

    [Fact]
    public void A_shard_is_taken_only_from_its_workers_and_others_are_counted()
    {
        var screening = Begun();
        screening.Reassigned(new ShardReassigned(3, 1, 2, "w1"));

        Assert.True(screening.Admits(3, 1, 0, "w1"));
        Assert.True(screening.Admits(3, 1, 2, "w1"));
        Assert.True(screening.Admits(3, 1, 2, "w3"));
        Assert.False(screening.Admits(3, 1, 1, "w3"));
        Assert.False(screening.Admits(3, 1, 0, "mallory"));
        Assert.Equal(2, screening.Unassigned);
        // Another attempt's results and shards that do not exist are for the aggregator to drop as late or malformed.
        Assert.True(screening.Admits(3, 0, 1, "w3"));
        Assert.True(screening.Admits(3, 1, 9, "w3"));
        Assert.Equal(2, screening.Unassigned);
    }

    [Fact]
    public void A_worker_whose_result_for_a_shard_was_rejected_may_not_send_it_again_until_it_is_reassigned_to_it()
    {
        var screening = Begun();

        screening.Rejected(3, 1, 1, "w2");

        Assert.False(screening.Admits(3, 1, 1, "w2"));
        screening.Reassigned(new ShardReassigned(3, 1, 1, "w2"));
        Assert.True(screening.Admits(3, 1, 1, "w2"));
    }

    [Fact]
    public void A_reassignment_for_another_attempt_changes_nothing()
    {
        var screening = Begun();

        screening.Reassigned(new ShardReassigned(3, 0, 1, "w3"));

        Assert.False(screening.Admits(3, 1, 1, "w3"));
    }

    [Fact]
    public void The_shard_scaled_by_minus_a_thousand_is_the_one_outlier_of_its_step()
    {
        var screening = Begun();

        var outlier = Assert.Single(screening.Outliers(Complete(screening, 0.1f, 0.12f, -100f, 0.09f)));

        Assert.Equal((2, "w3"), (outlier.ShardId, outlier.WorkerId));
        // The median of 0.09, 0.1, 0.12 and 100 (all four shards have four rows) is 0.11.
        Assert.Equal(100 / 0.11, outlier.Ratio, 3);
    }

    [Fact]
    public void A_shard_of_finite_values_whose_squares_overflow_is_an_outlier()
    {
        var screening = Begun();

        var outlier = Assert.Single(screening.Outliers(Complete(screening, 0.1f, 1e30f, 0.1f, 0.1f)));

        Assert.Equal(1, outlier.ShardId);
        Assert.Equal(double.PositiveInfinity, outlier.Ratio);
    }

    [Fact]
    public void A_clean_step_has_no_outlier_and_neither_has_any_step_with_the_rule_off()
    {
        Assert.Empty(Begun().Outliers(Complete(Begun(), 0.1f, 0.3f, 0.05f, 0.2f)));
        var off = Begun(ratio: 0);
        Assert.Empty(off.Outliers(Complete(off, 0.1f, 1e30f, -100f, 0.1f)));
    }

    /// <summary>
    /// Shard 2 judged an outlier from w3 and computed again by w1: the same norm again is the data's and is taken; another
    /// norm (an infinite one is the same as no finite one) shows w3's result wrong.
    /// </summary>
    [Theory]
    [InlineData(50f, 50.00001f, 50f, false)]
    [InlineData(50f, 0.11f, 0.11f, true)]
    [InlineData(1e30f, 0.1f, 0.1f, true)]
    public void An_outlier_computed_again_by_a_second_worker_is_reviewed_against_the_result_taken(float first, float again0, float again1, bool faulty)
    {
        var screening = Begun();
        var aggregator = Complete(screening, 0.1f, 0.1f, first, 0.1f);
        Assert.Single(screening.Outliers(aggregator));
        aggregator.Withdraw(2);
        screening.Rejected(3, 1, 2, "w3");
        screening.Reassigned(new ShardReassigned(3, 1, 2, "w1"));
        Assert.Equal(ShardVerdict.Accepted, aggregator.Offer(new ShardResult(3, 1, 2, 4, 1, 1, [again0, again1]), out _));
        screening.Accepted(2, "w1");

        Assert.Empty(screening.Outliers(aggregator));
        Assert.Equal([new OutlierReview(2, "w3", faulty)], screening.Reviews());
    }

    [Fact]
    public void A_step_with_no_outlier_has_nothing_to_review()
    {
        var screening = Begun();

        Assert.Empty(screening.Outliers(Complete(screening, 0.1f, 0.3f, 0.05f, 0.2f)));
        Assert.Empty(screening.Reviews());
    }
}
