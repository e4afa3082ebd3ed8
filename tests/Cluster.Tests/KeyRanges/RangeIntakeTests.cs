using System.Numerics.Tensors;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using Xunit;

namespace DistTrainer.Cluster.Tests.KeyRanges;

public sealed class RangeIntakeTests
{
    // Seven parameters in three ranges: [0, 2), [2, 5), [5, 7).
    private static readonly int[] Cuts = [0, 2, 5, 7];

    private readonly List<float[]> _released = [];
    private readonly RangeIntake[] _intakes;

    public RangeIntakeTests()
    {
        _intakes = [.. Enumerable.Range(0, 3).Select(r => new RangeIntake(r, Cuts[r], Cuts[r + 1] - Cuts[r], _released.Add))];
        foreach (var intake in _intakes) intake.Begin(4, 1, shards: 2);
    }

    private static float[] Gradient(int shard) => [.. Enumerable.Range(0, 7).Select(i => (shard + 1) * 0.5f + i)];

    private PartReport Offer(string worker, int shard, float[] gradient, int range, long step = 4, int attempt = 1) =>
        _intakes[range].Offer(worker, step, attempt, shard, gradient[Cuts[range]..Cuts[range + 1]]);

    [Fact]
    public void A_kept_part_is_reported_with_its_sum_of_squares_and_the_squares_of_every_range_make_the_whole_gradients_norm()
    {
        var gradient = Gradient(0);

        var reports = Enumerable.Range(0, 3).Select(range => Offer("w1", 0, gradient, range)).ToArray();

        Assert.All(reports, (report, range) => Assert.Equal((PieceState.Held, 4L, 1, 0, range, true),
            (report.State, report.Step, report.Attempt, report.ShardId, report.Range, report.Finite)));
        Assert.Equal(TensorPrimitives.Norm<float>(gradient), MathF.Sqrt(reports.Sum(r => r.SumOfSquares)), 1e-4f);
    }

    [Fact]
    public void The_step_sums_each_range_or_any_part_of_it_in_shard_order_from_the_parts_of_the_worker_whose_result_was_taken()
    {
        float[] first = Gradient(0), second = Gradient(1), other = [.. Enumerable.Repeat(100f, 7)];
        for (int range = 0; range < 3; range++)
        {
            Offer("w1", 0, first, range);
            Offer("w1", 1, other, range);
            Offer("w2", 1, second, range);
        }
        foreach (var intake in _intakes) intake.Sum(["w1", "w2"]);

        var sum = new float[7];
        for (int range = 0; range < 3; range++)
            ShardOrderSum.Into(_intakes[range], sum.AsSpan(Cuts[range], Cuts[range + 1] - Cuts[range]), Cuts[range]);

        Assert.Equal(first.Zip(second, (a, b) => a + b), sum);
        var tail = new float[2];
        ShardOrderSum.Into(_intakes[1], tail, 3);
        Assert.Equal(sum[3..5], tail);
        Assert.Equal("[4, 6) is not within key range 1, [2, 5)",
            Assert.Throws<ArgumentException>(() => ShardOrderSum.Into(_intakes[1], new float[2], 4)).Message);
    }

    [Fact]
    public void A_part_holding_a_NaN_is_reported_not_finite_and_huge_finite_values_finite_with_infinite_squares()
    {
        var gradient = Gradient(0);
        gradient[3] = float.NaN;

        var nan = Offer("w1", 0, gradient, 1);
        var huge = Offer("w1", 1, [.. Enumerable.Repeat(3e38f, 7)], 1);

        Assert.Equal((PieceState.Held, false), (nan.State, nan.Finite));
        Assert.Equal((PieceState.Held, true, float.PositiveInfinity), (huge.State, huge.Finite, huge.SumOfSquares));
    }

    [Fact]
    public void A_part_of_another_length_is_malformed_and_released()
    {
        var wrong = _intakes[1].Offer("w1", 4, 1, 0, [1f, 2f]);

        Assert.Equal(PieceState.Malformed, wrong.State);
        Assert.Equal("its part 1 of shard 0 of step 5 carries 2 floats; the range has 3", wrong.Reason);
        Assert.Single(_released);
    }

    [Fact]
    public void A_16_bit_part_is_decoded_into_the_ranges_values_and_one_of_another_packed_length_is_malformed()
    {
        float[] values = [1.5f, -2.25f, 1 + 1f / 1024], packed = new float[2];
        GradientCodec.EncodePacked(WireDtype.Bf16, values, packed);

        var kept = _intakes[1].Offer("w1", 4, 1, 0, packed, WireDtype.Bf16);
        var wrong = _intakes[1].Offer("w2", 4, 1, 0, new float[3], WireDtype.Fp16);
        _intakes[1].Sum(["w1"]);

        Assert.Equal((PieceState.Held, 1.5f * 1.5f + 2.25f * 2.25f + 1f), (kept.State, kept.SumOfSquares));
        Assert.Equal([1.5f, -2.25f, 1f], ((IShardGradients)_intakes[1]).Gradient(0, 2, 3).ToArray());
        Assert.Equal(PieceState.Malformed, wrong.State);
        Assert.Equal("its fp16 part 1 of shard 0 of step 5 carries 3 floats; the range's 3 values pack into 2", wrong.Reason);
        Assert.Equal(2, _released.Count);
    }

    [Fact]
    public void Parts_of_another_step_attempt_or_shard_and_parts_sent_twice_are_dropped_released_and_the_late_ones_counted()
    {
        var gradient = Gradient(0);
        Offer("w1", 0, gradient, 0);

        var dropped = new[]
        {
            Offer("w1", 0, gradient, 0, step: 3), Offer("w1", 0, gradient, 0, attempt: 0), Offer("w1", 2, gradient, 0), Offer("w1", 0, gradient, 0),
        };

        Assert.All(dropped, report => Assert.Equal(PieceState.Dropped, report.State));
        Assert.Equal(3, _intakes[0].LateParts);
        Assert.Equal(4, _released.Count);
    }

    [Fact]
    public void Every_shard_is_in_once_each_has_a_kept_part_from_any_worker_and_no_longer_after_the_next_step_begins()
    {
        var intake = _intakes[0];
        Offer("w1", 0, Gradient(0), 0);
        Offer("w1", 0, Gradient(0), 0);
        Offer("w2", 0, Gradient(0), 0);
        Offer("w2", 1, Gradient(1), 0, step: 3);
        bool beforeTheLast = intake.EveryShardIn;

        Offer("w3", 1, Gradient(1), 0);
        bool afterTheLast = intake.EveryShardIn;
        intake.Begin(5, 0, shards: 2);

        Assert.Equal((false, true, false), (beforeTheLast, afterTheLast, intake.EveryShardIn));
    }

    [Fact]
    public void The_senders_are_known_once_every_shard_has_one_part_and_no_longer_when_one_has_two()
    {
        var intake = _intakes[1];
        Offer("w2", 1, Gradient(1), 1);
        bool withOneShard = intake.TryOneSenderEach(out _);
        Offer("w1", 0, Gradient(0), 1);
        bool withBoth = intake.TryOneSenderEach(out var senders);
        Offer("w3", 0, Gradient(0), 1);

        Assert.Equal((false, true), (withOneShard, withBoth));
        Assert.Equal(["w1", "w2"], senders!);
        Assert.False(intake.TryOneSenderEach(out _));
    }

    [Fact]
    public void Beginning_the_next_step_releases_every_part()
    {
        Offer("w1", 0, Gradient(0), 0);
        Offer("w2", 1, Gradient(1), 0);

        _intakes[0].Begin(5, 0, shards: 2);

        Assert.Equal(2, _released.Count);
    }
}
