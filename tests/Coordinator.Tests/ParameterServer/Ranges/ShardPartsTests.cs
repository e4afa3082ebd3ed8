using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer.Ranges;

public sealed class ShardPartsTests
{
    private readonly List<float[]> _released = [];
    private readonly ShardParts _parts;

    public ShardPartsTests()
    {
        _parts = new ShardParts(ranges: 3, _released.Add);
        _parts.Begin(4, 1, shards: 2);
    }

    private static ShardResult Head(int shard, long step = 4, int attempt = 1) => new(step, attempt, shard, 3, 1.25, 2, [9f, 8f], 0.01);

    private static PartReport Report(int shard, int range, float squares = 4f, bool finite = true, long step = 4, int attempt = 1) =>
        new(PieceState.Held, step, attempt, shard, range, squares, finite);

    [Fact]
    public void A_result_is_whole_once_its_head_and_every_ranges_report_are_in_whatever_their_order_with_the_norm_of_their_squares()
    {
        var head = Head(0);
        Assert.Equal(PieceState.Held, _parts.OfferPart("w1", Report(0, 2, 9f)).State);
        Assert.Equal(PieceState.Held, _parts.OfferPart("w1", Report(0, 0, 3f)).State);
        Assert.Equal(PieceState.Held, _parts.OfferHead("w1", head).State);
        Assert.Equal(PieceState.Held, _parts.OfferPart("w2", Report(0, 1, 100f)).State);

        var whole = _parts.OfferPart("w1", Report(0, 1, 4f));

        Assert.Equal((PieceState.Whole, head, 4f, true), (whole.State, whole.Head, whole.Norm, whole.Finite));
    }

    [Fact]
    public void A_report_of_a_part_that_was_not_finite_makes_its_result_not_finite()
    {
        _parts.OfferHead("w1", Head(1));
        _parts.OfferPart("w1", Report(1, 0));
        _parts.OfferPart("w1", Report(1, 1, float.NaN, finite: false));

        var whole = _parts.OfferPart("w1", Report(1, 2));

        Assert.Equal((PieceState.Whole, false), (whole.State, whole.Finite));
    }

    [Fact]
    public void Reports_of_another_step_attempt_or_range_or_sent_twice_are_dropped_and_heads_not_current_go_to_the_aggregator()
    {
        _parts.OfferPart("w1", Report(0, 0));
        Assert.All(new[] { Report(0, 0, step: 3), Report(0, 0, attempt: 0), Report(0, 3), Report(2, 0), Report(0, 0) },
            report => Assert.Equal(PieceState.Dropped, _parts.OfferPart("w1", report).State));
        Assert.Throws<ArgumentException>(() => _parts.OfferPart("w1", Report(0, 1) with { State = PieceState.Malformed }));
        _parts.OfferHead("w1", Head(0));
        var secondHead = Head(0);

        Assert.Equal(PieceState.Dropped, _parts.OfferHead("w1", secondHead).State);
        Assert.Same(secondHead.Payload, Assert.Single(_released));
        Assert.Equal(PieceState.NotCurrent, _parts.OfferHead("w1", Head(0, step: 3)).State);
        Assert.Equal(PieceState.NotCurrent, _parts.OfferHead("w1", Head(2)).State);
    }

    [Fact]
    public void Beginning_the_next_step_releases_the_heads_still_waiting_but_not_a_whole_results_head()
    {
        var whole = Head(0);
        _parts.OfferHead("w1", whole);
        for (int range = 0; range < 3; range++) _parts.OfferPart("w1", Report(0, range));
        var waiting = Head(1);
        _parts.OfferHead("w2", waiting);
        _parts.OfferPart("w2", Report(1, 0));

        _parts.Begin(5, 0, shards: 2);

        Assert.Same(waiting.Payload, Assert.Single(_released));
        Assert.Equal(PieceState.NotCurrent, _parts.OfferHead("w2", Head(1)).State);
    }
}
