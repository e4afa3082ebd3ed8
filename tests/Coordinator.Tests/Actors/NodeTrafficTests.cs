using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.Actors;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>Each node's link: streams between nodes counted at both ends, a stream inside a node at neither.</summary>
public sealed class NodeTrafficTests
{
    // Two workers on nodes A and B, range 0 served on A, range 1 on B, the master on M.
    private readonly NodeTraffic _nodes = new("M", worker => worker switch { "w0" => "A", "w1" => "B", _ => null },
        range => range == 0 ? "A" : "B");

    [Fact]
    public void A_stream_between_nodes_counts_at_both_ends_and_one_inside_a_node_at_neither()
    {
        StreamTraffic[] streams =
        [
            new("w0", null, new DataPlaneTraffic(10, 1)), // the master's stream with w0, counted at the master
            new("w0", 0, new DataPlaneTraffic(1_000, 1_000)), // w0 with the range its own node serves
            new("w0", 1, new DataPlaneTraffic(300, 200)), // range 1 (on B) with w0 (on A), counted at B
            new("w1", 0, new DataPlaneTraffic(30, 20)), // range 0 (on A) with w1 (on B), counted at A
            new(null, 1, new DataPlaneTraffic(5, 7)), // the master's link to range 1, counted at the master
            new("stranger", 1, new DataPlaneTraffic(99, 99)), // a worker never registered: left out
        ];

        var totals = _nodes.Totals(streams);

        Assert.Equal(new DataPlaneTraffic(10 + 5, 1 + 7), totals["M"]);
        Assert.Equal(new DataPlaneTraffic(1 + 200 + 30, 10 + 300 + 20), totals["A"]);
        Assert.Equal(new DataPlaneTraffic(300 + 20 + 7, 200 + 30 + 5), totals["B"]);
        Assert.Equal(3, totals.Count);
    }

    [Fact]
    public void Bytes_per_step_are_the_difference_of_two_counts_over_the_steps_between_them()
    {
        StreamTraffic[] before = [new("w0", 1, new DataPlaneTraffic(100, 50))];
        StreamTraffic[] after = [new("w0", 1, new DataPlaneTraffic(500, 250)), new("w1", null, new DataPlaneTraffic(40, 0))];

        var perStep = _nodes.PerStep(before, after, steps: 4);

        Assert.Equal(
            [new NodeBytesPerStep("A", false, 50, 100), new NodeBytesPerStep("B", false, 100, 50 + 10), new NodeBytesPerStep("M", true, 10, 0)],
            perStep);
        Assert.Throws<ArgumentOutOfRangeException>(() => _nodes.PerStep(before, after, steps: 0));
    }
}
