using System.Diagnostics;
using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// A capped node's connections share its link, those it accepted and those it opened alike (a worker node's key-range host
/// and its worker): what they send together, or receive together, goes no faster than its rate.
/// </summary>
public sealed class LinkCapTests : IDisposable
{
    private const int FrameFloats = 6_250; // 25 kB
    private const int FramesPerClient = 4;

    // 1 MB/s with no burst: two clients' 8 frames of 25 kB cannot all be in before 200 ms.
    private readonly LoopbackServer _server = new(new DataPlaneOptions { Link = LinkCap.Of(gigabitsPerSecond: 0.008, burstBytes: 0) });

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Frames_from_two_peers_into_one_capped_node_take_their_bytes_over_its_rate()
    {
        using var first = _server.Connect("worker-1", new DataPlaneOptions());
        var firstEnd = _server.NextConnection();
        using var second = _server.Connect("worker-2", new DataPlaneOptions());
        var secondEnd = _server.NextConnection();
        var payload = new float[FrameFloats];
        long started = Stopwatch.GetTimestamp();

        for (int i = 0; i < FramesPerClient; i++)
        {
            Assert.True(first.Send(new FrameHeader(FrameKind.Gradients, Step: i), payload));
            Assert.True(second.Send(new FrameHeader(FrameKind.Gradients, Step: i), payload));
        }
        for (int i = 0; i < FramesPerClient; i++)
        {
            Assert.Equal(i, firstEnd.NextFrame().Header.Step);
            Assert.Equal(i, secondEnd.NextFrame().Header.Step);
        }

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(190),
            $"8 frames of 25 kB through a 1 MB/s link in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void A_frame_to_each_of_four_peers_leaves_a_capped_node_one_after_the_other()
    {
        // The parameter server's weights to every worker: each peer's own link takes 25 ms for its frame, the node's takes the four in turn.
        var peers = Enumerable.Range(0, 4).Select(_ => new LoopbackServer(new DataPlaneOptions { Link = LinkCap.Of(0.008, 0) })).ToList();
        var connections = peers.Select((peer, i) => peer.Connect($"node-{i}", _server.Options)).ToList();
        try
        {
            var ends = peers.Select(peer => peer.NextConnection()).ToList();
            var payload = new float[FrameFloats];
            long started = Stopwatch.GetTimestamp();

            foreach (var connection in connections) Assert.True(connection.Send(new FrameHeader(FrameKind.Weights), payload));
            foreach (var end in ends) end.NextFrame();

            Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(90),
                $"a 25 kB frame to each of 4 peers through a 1 MB/s link in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        }
        finally
        {
            connections.ForEach(connection => connection.Dispose());
            peers.ForEach(peer => peer.Dispose());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_nodes_accepted_and_opened_connections_share_its_link_each_way(bool nodeSends)
    {
        // The capped node listens (_server) and also connects out to another node, which is not capped.
        using var otherNode = new LoopbackServer(new DataPlaneOptions());
        using var opened = otherNode.Connect("node-a", _server.Options);
        var openedEnd = new ReceivingEnd(opened);
        var openedPeer = otherNode.NextConnection();
        using var toAccepted = _server.Connect("node-b", new DataPlaneOptions());
        var acceptedPeer = new ReceivingEnd(toAccepted);
        var accepted = _server.NextConnection();
        var (senders, receivers) = nodeSends
            ? (new[] { opened, accepted.Connection }, new[] { openedPeer, acceptedPeer })
            : ([openedPeer.Connection, toAccepted], [openedEnd, accepted]);
        var payload = new float[FrameFloats];
        long started = Stopwatch.GetTimestamp();

        for (int i = 0; i < FramesPerClient; i++)
            foreach (var sender in senders)
                Assert.True(sender.Send(new FrameHeader(FrameKind.Gradients, Step: i), payload));
        for (int i = 0; i < FramesPerClient; i++)
            foreach (var receiver in receivers)
                Assert.Equal(i, receiver.NextFrame().Header.Step);

        // Paid for one after another, the 8th frame passes at 150 ms at the earliest; with a link per connection, by 100 ms.
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(140),
            $"8 frames of 25 kB through a 1 MB/s link in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
    }
}
