using DistTrainer.Cluster.KeyRanges;
using Xunit;

namespace DistTrainer.Cluster.Tests.KeyRanges;

public sealed class PartReportBatchTests
{
    private readonly PartReportBatch _batch = new();

    private static PartIn Part(string worker, int shard, PieceState state = PieceState.Held) =>
        new(worker, new PartReport(state, 7, 0, shard, 3, SumOfSquares: shard + 1f));

    [Fact]
    public void Kept_parts_wait_until_every_shard_is_in_then_go_together_in_the_order_they_came()
    {
        var first = _batch.Add(Part("w1", 1), everyShardIn: false);
        var second = _batch.Add(Part("w2", 2), everyShardIn: false);
        bool holding = _batch.Holding;

        var all = _batch.Add(Part("w3", 0), everyShardIn: true);

        Assert.Equal((null, null, true), (first, second, holding));
        Assert.Equal([Part("w1", 1), Part("w2", 2), Part("w3", 0)], all!.Parts);
        Assert.False(_batch.Holding);
        Assert.Null(_batch.Take());
    }

    [Theory]
    [InlineData(PieceState.Dropped)]
    [InlineData(PieceState.Malformed)]
    public void A_part_not_kept_goes_at_once_with_those_held_before_it(PieceState state)
    {
        _batch.Add(Part("w1", 1), everyShardIn: false);

        var reports = _batch.Add(Part("w2", 0, state), everyShardIn: false);

        Assert.Equal([Part("w1", 1), Part("w2", 0, state)], reports!.Parts);
        Assert.False(_batch.Holding);
    }

    [Fact]
    public void What_is_held_when_the_linger_runs_out_is_taken_once()
    {
        _batch.Add(Part("w1", 1), everyShardIn: false);

        var lingered = _batch.Take();

        Assert.Equal([Part("w1", 1)], lingered!.Parts);
        Assert.Null(_batch.Take());
        Assert.Equal([Part("w2", 0)], _batch.Add(Part("w2", 0), everyShardIn: true)!.Parts);
    }
}
