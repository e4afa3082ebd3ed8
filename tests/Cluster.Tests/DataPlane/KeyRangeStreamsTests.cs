using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class KeyRangeStreamsTests
{
    [Fact]
    public void A_range_streams_id_names_its_worker_and_range_and_a_workers_own_id_names_no_range()
    {
        Assert.True(KeyRangeStreams.TryParse(KeyRangeStreams.PeerId("worker-1", 12), out var worker, out int range));
        Assert.Equal(("worker-1", 12), (worker, range));
        Assert.False(KeyRangeStreams.TryParse("worker-1", out worker, out _));
        Assert.Equal("worker-1", worker);
        Assert.False(KeyRangeStreams.TryParse("worker-1/range/x", out _, out _));
        Assert.False(KeyRangeStreams.TryParse("/range/1", out _, out _));
        Assert.False(KeyRangeStreams.TryParse("worker-1/range/-1", out _, out _));
    }

    [Fact]
    public void An_id_that_would_read_as_a_range_streams_is_reserved()
    {
        Assert.True(KeyRangeStreams.Reserved("a/range/1"));
        Assert.False(KeyRangeStreams.Reserved("worker-range-1"));
    }
}
