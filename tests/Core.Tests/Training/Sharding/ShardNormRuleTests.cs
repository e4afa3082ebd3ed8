using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

public class ShardNormRuleTests
{
    private static double[] Ratios(ShardNormRule rule, double[] meanNorms, int[] rows, out bool judged)
    {
        var ratios = new double[meanNorms.Length];
        judged = rule.Judge(meanNorms, rows, ratios);
        return ratios;
    }

    [Fact]
    public void A_shard_a_thousand_times_the_median_of_four_is_an_outlier_and_the_others_are_not()
    {
        var rule = new ShardNormRule(10);

        var ratios = Ratios(rule, [2.0, 2.2, 2000, 1.8], [16, 16, 16, 16], out bool judged);

        Assert.True(judged);
        // The median of 1.8, 2, 2.2, 2000 is 2.1.
        Assert.Equal([2 / 2.1, 2.2 / 2.1, 2000 / 2.1, 1.8 / 2.1], ratios, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal([false, false, true, false], ratios.Select(rule.IsOutlier));
    }

    [Fact]
    public void An_infinite_norm_is_always_an_outlier_and_a_zero_one_never()
    {
        var rule = new ShardNormRule(10);

        var ratios = Ratios(rule, [1, double.PositiveInfinity, 0], [4, 4, 4], out _);

        Assert.Equal([false, true, false], ratios.Select(rule.IsOutlier));
        Assert.Equal(0, ratios[2]);
    }

    [Fact]
    public void A_shard_smaller_than_the_mean_share_gets_the_room_of_its_noisier_mean()
    {
        var rule = new ShardNormRule(10);

        // Mean share 16 rows; the 4-row shard's bound is the median times sqrt(16 / 4) = 2.
        var ratios = Ratios(rule, [1, 1, 1, 30, 30], [19, 19, 19, 4, 19], out _);

        Assert.Equal(15, ratios[3], 12);
        Assert.Equal(30, ratios[4], 12);
        Assert.Equal([false, false, false, true, true], ratios.Select(rule.IsOutlier));
    }

    [Fact]
    public void Two_shards_are_judged_against_the_recent_history_only_after_the_warm_up()
    {
        var rule = new ShardNormRule(10);
        for (int step = 0; step < ShardNormRule.WarmUp / 2 - 1; step++)
            rule.Applied([1.0, 3.0], [0, 0]);

        Ratios(rule, [1, 500], [8, 8], out bool duringWarmUp);
        rule.Applied([1.0, 3.0], [0, 0]);
        var ratios = Ratios(rule, [1, 500], [8, 8], out bool afterWarmUp);

        Assert.False(duringWarmUp);
        Assert.True(afterWarmUp);
        // The history holds five 1s and five 3s: its median is 2.
        Assert.Equal([0.5, 250], ratios);
    }

    [Fact]
    public void A_step_of_one_shard_is_never_judged_and_a_ratio_of_zero_turns_the_rule_off()
    {
        var one = new ShardNormRule(10);
        for (int step = 0; step < ShardNormRule.HistoryLength; step++) one.Applied([1.0], [0]);
        var off = new ShardNormRule(0);

        Assert.False(one.Judge([1000.0], [8], new double[1]));
        Assert.False(off.Judge([1, 2, 1e30], [8, 8, 8], new double[3]));
        Assert.False(off.IsOutlier(double.PositiveInfinity));
    }

    [Fact]
    public void The_largest_applied_ratio_is_kept_for_the_end_of_run_report()
    {
        var rule = new ShardNormRule(10);

        rule.Applied([1.0, 2.0, 3.0], [0.5, 1, 1.5]);
        rule.Applied([1.0, 2.0, 3.0], [0.9, 1, 1.1]);

        Assert.Equal(1.5, rule.LargestRatio);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void A_ratio_between_zero_and_one_or_negative_is_refused(double ratio) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardNormRule(ratio));

    [Fact]
    public void The_mean_norm_scales_a_shards_norm_by_the_steps_rows_over_its_own() =>
        Assert.Equal(8.0, ShardNormRule.MeanNorm(2, rows: 16, stepRows: 64));
}
