using System.Numerics.Tensors;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer.Ranges;

public sealed class ShardPartsTests
{
    // Seven parameters in three ranges: [0, 2), [2, 5), [5, 7).
    private static readonly int[] Cuts = [0, 2, 5, 7];

    private readonly List<float[]> _released = [];
    private readonly ShardParts _parts;

    public ShardPartsTests()
    {
        _parts = new ShardParts(Cuts, _released.Add);
        _parts.Begin(4, 1, shards: 2);
    }

    private static float[] Gradient(int shard) => [.. Enumerable.Range(0, 7).Select(i => (shard + 1) * 0.5f + i)];

    private static float[] Part(float[] gradient, int range) => gradient[Cuts[range]..Cuts[range + 1]];

    private static ShardResult Head(int shard, long step = 4, int attempt = 1) => new(step, attempt, shard, 3, 1.25, 2, [9f, 8f], 0.01);

    private PieceOutcome OfferParts(string worker, int shard, float[] gradient, params int[] ranges)
    {
        var last = default(PieceOutcome);
        foreach (int range in ranges) last = _parts.OfferPart(worker, 4, 1, shard, range, Part(gradient, range));
        return last;
    }

    [Fact]
    public void A_result_is_whole_once_its_head_and_every_part_are_in_whatever_their_order_with_the_norm_of_its_whole_gradient()
    {
        var gradient = Gradient(0);
        var head = Head(0);
        Assert.Equal(PieceState.Held, OfferParts("w1", 0, gradient, 2, 0).State);
        Assert.Equal(PieceState.Held, _parts.OfferHead("w1", head).State);

        var whole = OfferParts("w1", 0, gradient, 1);

        Assert.Equal(PieceState.Whole, whole.State);
        Assert.Equal(head, whole.Head);
        Assert.True(whole.Finite);
        Assert.Equal(TensorPrimitives.Norm<float>(gradient), whole.Norm, 1e-5f);
    }

    [Fact]
    public void The_step_sums_each_range_in_shard_order_from_the_parts_of_the_worker_whose_result_was_taken()
    {
        float[] first = Gradient(0), second = Gradient(1), other = [.. Enumerable.Repeat(100f, 7)];
        OfferParts("w1", 0, first, 0, 1, 2);
        OfferParts("w1", 1, other, 0, 1, 2);
        OfferParts("w2", 1, second, 0, 1, 2);
        _parts.Sum(["w1", "w2"]);

        var sum = new float[7];
        for (int range = 0; range < 3; range++)
            ShardOrderSum.Into(_parts, sum.AsSpan(Cuts[range], Cuts[range + 1] - Cuts[range]), Cuts[range]);

        Assert.Equal(first.Zip(second, (a, b) => a + b), sum);
        Assert.Throws<ArgumentException>(() => ShardOrderSum.Into(_parts, new float[3], 1));
    }

    [Fact]
    public void A_part_holding_a_NaN_makes_its_result_not_finite_and_huge_finite_values_only_an_infinite_norm()
    {
        var gradient = Gradient(0);
        gradient[3] = float.NaN;
        _parts.OfferHead("w1", Head(0));
        var nan = OfferParts("w1", 0, gradient, 0, 1, 2);
        _parts.OfferHead("w1", Head(1));
        var huge = OfferParts("w1", 1, [.. Enumerable.Repeat(3e38f, 7)], 0, 1, 2);

        Assert.Equal((PieceState.Whole, false), (nan.State, nan.Finite));
        Assert.Equal((PieceState.Whole, true, float.PositiveInfinity), (huge.State, huge.Finite, huge.Norm));
    }

    [Fact]
    public void A_part_of_a_range_that_does_not_exist_or_of_the_wrong_length_is_malformed_and_released()
    {
        var outOfRange = _parts.OfferPart("w1", 4, 1, 0, 3, [1f, 2f]);
        var wrongLength = _parts.OfferPart("w1", 4, 1, 0, 1, [1f, 2f]);

        Assert.Equal(PieceState.Malformed, outOfRange.State);
        Assert.Equal("its part 3 of shard 0 of step 5 carries 2 floats; this run has 3 key ranges, bounded at [0, 2, 5, 7]", outOfRange.Reason);
        Assert.Equal(PieceState.Malformed, wrongLength.State);
        Assert.Equal(2, _released.Count);
    }

    [Fact]
    public void Parts_of_another_step_or_attempt_and_pieces_sent_twice_are_dropped_released_and_late_parts_counted()
    {
        var late = _parts.OfferPart("w1", 3, 1, 0, 0, [1f, 2f]);
        var otherAttempt = _parts.OfferPart("w1", 4, 0, 0, 0, [1f, 2f]);
        _parts.OfferPart("w1", 4, 1, 0, 0, [1f, 2f]);
        var twice = _parts.OfferPart("w1", 4, 1, 0, 0, [1f, 2f]);
        _parts.OfferHead("w1", Head(0));
        var secondHead = _parts.OfferHead("w1", Head(0));

        Assert.All(new[] { late, otherAttempt, twice, secondHead }, outcome => Assert.Equal(PieceState.Dropped, outcome.State));
        Assert.Equal(2, _parts.LateParts);
        Assert.Equal(4, _released.Count);
        Assert.Equal(PieceState.NotCurrent, _parts.OfferHead("w1", Head(0, step: 3)).State);
        Assert.Equal(PieceState.NotCurrent, _parts.OfferHead("w1", Head(2)).State);
    }

    [Fact]
    public void Beginning_the_next_step_releases_every_part_and_the_heads_still_waiting_but_not_a_whole_results_head()
    {
        var whole = Head(0);
        _parts.OfferHead("w1", whole);
        OfferParts("w1", 0, Gradient(0), 0, 1, 2);
        var waiting = Head(1);
        _parts.OfferHead("w2", waiting);
        OfferParts("w2", 1, Gradient(1), 0);

        _parts.Begin(5, 0, shards: 2);

        Assert.Equal(5, _released.Count);
        Assert.Contains(_released, released => ReferenceEquals(released, waiting.Payload));
        Assert.DoesNotContain(_released, released => ReferenceEquals(released, whole.Payload));
    }
}
