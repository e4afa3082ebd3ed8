using DistTrainer.Cluster.DataPlane;
using DistTrainer.Worker.DataPlane;
using Xunit;

namespace DistTrainer.Worker.Tests.DataPlane;

public sealed class WeightsAssemblerTests
{
    // Six weights in three ranges: [0, 1), [1, 4), [4, 6).
    private static readonly int[] Cuts = [0, 1, 4, 6];

    private readonly List<WeightsArrived> _delivered = [];
    private readonly WeightsAssembler _assembler;

    public WeightsAssemblerTests() => _assembler = new WeightsAssembler(Cuts, new PayloadPool(), _delivered.Add);

    private static float[] Version(long version) => [.. Enumerable.Range(0, 6).Select(i => version * 10f + i)];

    private void Offer(long version, params int[] ranges)
    {
        foreach (int range in ranges) _assembler.Offer(version, range, Version(version)[Cuts[range]..Cuts[range + 1]]);
    }

    [Fact]
    public void A_version_is_delivered_whole_once_its_last_range_is_in_whatever_the_order()
    {
        Offer(3, 2, 0);
        Assert.Empty(_delivered);

        Offer(3, 1);

        var arrived = Assert.Single(_delivered);
        Assert.Equal(3, arrived.Version);
        Assert.Equal(Version(3), arrived.Weights);
        Assert.Equal(0, _assembler.Unfinished);
    }

    [Fact]
    public void A_version_overtaken_by_a_newer_whole_one_is_dropped_and_ranges_of_older_versions_are_ignored()
    {
        Offer(1, 0);
        Offer(2, 0, 1, 2);
        Offer(1, 1, 2);
        Offer(2, 1);

        var arrived = Assert.Single(_delivered);
        Assert.Equal(2, arrived.Version);
        Assert.Equal(0, _assembler.Unfinished);
    }

    [Fact]
    public void At_most_two_unfinished_versions_are_held_a_third_dropping_the_oldest_and_a_newer_one_is_kept_past_a_delivery()
    {
        Offer(1, 0);
        Offer(2, 0);
        Offer(3, 0);
        Assert.Equal(2, _assembler.Unfinished);

        Offer(1, 1, 2);
        Assert.Empty(_delivered);
        Assert.Equal(2, _assembler.Unfinished);
        Offer(2, 1, 2);
        Assert.Equal(2, Assert.Single(_delivered).Version);
        Offer(3, 1, 2);
        Assert.Equal([2L, 3L], _delivered.Select(d => d.Version));
        Assert.Equal(Version(3), _delivered[1].Weights);
    }

    [Fact]
    public void A_range_that_does_not_exist_or_has_another_length_is_a_protocol_error_naming_the_ranges()
    {
        var missing = Assert.Throws<FrameProtocolException>(() => _assembler.Offer(1, 3, [1f, 2f]));
        Assert.Throws<FrameProtocolException>(() => _assembler.Offer(1, 1, [1f]));

        Assert.Equal("a weights range 3 of 2 floats; this run has 3 ranges, bounded at [0, 1, 4, 6]", missing.Message);
        Assert.Empty(_delivered);
    }
}
