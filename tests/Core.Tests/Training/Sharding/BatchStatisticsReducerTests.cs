using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Training.Sharding;

public class BatchStatisticsReducerTests
{
    // Two batch-norm layers, of widths 2 and 1.
    private static readonly int[] Widths = [2, 1];
    private static readonly Shard[] Shards = [new(0, 0, 2), new(1, 2, 3), new(2, 5, 5)];

    // Per shard, layer 0: (mean, mean, variance, variance).
    private static readonly float[][] Moments = [[1, -2, 0.5f, 4], [2, 0, 1, 2], [-1, 3, 0.25f, 1]];

    private static BatchStatisticsReducer<string> Begun(long step = 3, int attempt = 0)
    {
        var reducer = new BatchStatisticsReducer<string>(Widths);
        Assert.Empty(reducer.Begin(step, attempt, Shards));
        return reducer;
    }

    private static ReductionOffer OfferMoments(BatchStatisticsReducer<string> reducer, int shard, string peer, out IReadOnlyList<string> answer,
        long step = 3, int attempt = 0) =>
        reducer.Offer(StatisticsKind.Moments, step, attempt, shard, 0, Shards[shard].Count, Moments[shard], peer, out answer);

    [Fact]
    public void Moments_stay_pending_until_every_shard_offered_then_everyone_who_waited_gets_the_merge()
    {
        var reducer = Begun();

        var first = OfferMoments(reducer, 2, "worker-c", out var firstAnswer);
        var second = OfferMoments(reducer, 0, "worker-a", out var secondAnswer);
        var last = OfferMoments(reducer, 1, "worker-b", out var lastAnswer);

        Assert.Equal(ReductionState.Pending, first.State);
        Assert.Empty(firstAnswer);
        Assert.Equal(ReductionState.Pending, second.State);
        Assert.Empty(secondAnswer);
        Assert.Equal(ReductionState.Reduced, last.State);
        Assert.Equal(["worker-c", "worker-a", "worker-b"], lastAnswer);
        Assert.Equal(10, last.Rows);
        var merger = new MomentsMerger(2);
        foreach (var shard in Shards) merger.Add(shard.Count, Moments[shard.Id].AsSpan(0, 2), Moments[shard.Id].AsSpan(2, 2));
        var expected = new float[4];
        merger.Result(expected.AsSpan(0, 2), expected.AsSpan(2, 2));
        Assert.Equal(expected, last.Values);
        // Feature 0: mean (2 + 6 - 5) / 10; variance (1 + 3 + 1.25 + 2 * 0.49 + 3 * 2.89 + 5 * 1.69) / 10.
        Assert.Equal(0.3f, last.Values![0], 6);
        Assert.Equal(2.335f, last.Values[2], 5);
    }

    [Fact]
    public void Gradient_sums_add_up_in_double_and_each_layer_and_kind_reduces_on_its_own()
    {
        var reducer = Begun();
        float[][] sums = [[1e8f, 1], [-1e8f, 2], [1, 3]];
        var pendingMoments = reducer.Offer(StatisticsKind.Moments, 3, 0, 0, 1, 2, [5, 1], "a", out _);

        ReductionOffer result = default;
        IReadOnlyList<string> answer = [];
        for (int shard = 0; shard < 3; shard++)
            result = reducer.Offer(StatisticsKind.GradientSums, 3, 0, shard, 1, Shards[shard].Count, sums[shard], $"w{shard}", out answer);

        Assert.Equal(ReductionState.Pending, pendingMoments.State);
        Assert.Equal(ReductionState.Reduced, result.State);
        Assert.Equal(10, result.Rows);
        Assert.Equal([1f, 6f], result.Values!);
        Assert.Equal(["w0", "w1", "w2"], answer);
        Assert.Equal(ReductionState.Pending, reducer.Offer(StatisticsKind.GradientSums, 3, 0, 0, 0, 2, [0, 0, 0, 0], "a", out _).State);
    }

    [Fact]
    public void A_shard_recomputed_after_the_reduction_gets_the_kept_result_at_once()
    {
        var reducer = Begun();
        OfferMoments(reducer, 0, "a", out _);
        OfferMoments(reducer, 1, "b", out _);
        var reduced = OfferMoments(reducer, 2, "c", out _);

        var again = reducer.Offer(StatisticsKind.Moments, 3, 0, 1, 0, 3, [100, 100, 100, 100], "d", out var answer);

        Assert.Equal(ReductionState.Reduced, again.State);
        Assert.Equal(["d"], answer);
        Assert.Equal(reduced.Values, again.Values);
        Assert.Equal(10, again.Rows);
    }

    [Fact]
    public void The_first_offer_of_a_shard_counts_and_both_of_its_peers_are_answered()
    {
        var reducer = Begun();
        OfferMoments(reducer, 0, "a", out _);
        reducer.Offer(StatisticsKind.Moments, 3, 0, 0, 0, 2, [100, 100, 100, 100], "a2", out _);
        OfferMoments(reducer, 1, "b", out _);

        var reduced = OfferMoments(reducer, 2, "c", out var answer);

        Assert.Equal(["a", "a2", "b", "c"], answer);
        Assert.Equal(0.3f, reduced.Values![0], 6);
    }

    [Fact]
    public void A_new_attempt_returns_the_peers_still_waiting_and_makes_their_offers_stale()
    {
        var reducer = Begun();
        OfferMoments(reducer, 0, "a", out _);
        OfferMoments(reducer, 1, "b", out _);
        OfferMoments(reducer, 2, "c", out _);
        reducer.Offer(StatisticsKind.GradientSums, 3, 0, 1, 0, 3, [1, 1, 1, 1], "b", out _);
        reducer.Offer(StatisticsKind.GradientSums, 3, 0, 2, 1, 5, [1, 1], "c", out _);
        reducer.Offer(StatisticsKind.GradientSums, 3, 0, 2, 0, 5, [1, 1, 1, 1], "c", out _);

        var abandoned = reducer.Begin(3, 1, Shards);

        // a finished layer 0's moments (answered) and never offered a gradient sum: it is not waiting.
        Assert.Equal(["b", "c"], abandoned.Order());
        Assert.Equal((3L, 1), (reducer.Step, reducer.Attempt));
        var stale = OfferMoments(reducer, 0, "a", out var answer, attempt: 0);
        Assert.Equal(ReductionState.Stale, stale.State);
        Assert.Equal(["a"], answer);
        Assert.Equal(ReductionState.Pending, OfferMoments(reducer, 0, "a", out _, attempt: 1).State);
        Assert.Equal(["a"], reducer.Begin(4, 0, Shards));
    }

    [Fact]
    public void An_offer_for_another_step_is_stale()
    {
        var reducer = Begun();

        Assert.Equal(ReductionState.Stale, OfferMoments(reducer, 0, "a", out _, step: 2).State);
        Assert.Equal(ReductionState.Stale, OfferMoments(reducer, 0, "a", out _, step: 4).State);
        Assert.Equal(ReductionState.Stale, new BatchStatisticsReducer<string>(Widths)
            .Offer(StatisticsKind.Moments, 0, 0, 0, 0, 2, Moments[0], "a", out _).State);
    }

    [Fact]
    public void An_unknown_layer_or_shard_or_a_payload_of_the_wrong_width_is_refused()
    {
        var reducer = Begun();

        var layer = Assert.Throws<ArgumentOutOfRangeException>(() =>
            reducer.Offer(StatisticsKind.Moments, 3, 0, 0, 2, 2, [1, 1], "a", out _));
        var shard = Assert.Throws<ArgumentOutOfRangeException>(() =>
            reducer.Offer(StatisticsKind.Moments, 3, 0, 3, 0, 2, Moments[0], "a", out _));
        var width = Assert.Throws<ArgumentException>(() =>
            reducer.Offer(StatisticsKind.Moments, 3, 0, 0, 1, 2, Moments[0], "a", out _));

        Assert.Contains("batch-norm layer 2 does not exist (the model has 2)", layer.Message);
        Assert.Contains("shard 3 does not exist (step 3 has 3)", shard.Message);
        Assert.Contains("batch-norm layer 1: 4 floats; expected 2", width.Message);
    }
}
