using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>The send queue's byte bound: a peer that stops reading gets its stream closed, never an ever-growing queue.</summary>
public sealed class SendQueueBoundTests
{
    private const long Bound = 2 << 20;
    private const int FrameFloats = 64 << 10;

    private static DataPlaneOptions Bounded => new()
    {
        Bounds = DataPlaneBounds.Default with { SendQueueBytes = Bound },
        SocketBufferBytes = 64 << 10,
    };

    [Fact]
    public void A_peer_that_never_reads_is_closed_once_the_queue_would_pass_its_bound_and_every_frame_is_released()
    {
        using var server = new LoopbackServer(Bounded);
        using var peer = new RawPeer(server.Listener);
        peer.SendHello("stalled-worker");
        var end = server.NextConnection();
        var payload = new float[FrameFloats];
        int queued = 0, released = 0;

        // The kernel's buffers take a few megabytes first; then the queue fills, and the frame past the bound closes.
        while (queued < 1000 && end.Connection.Send(new FrameHeader(FrameKind.Weights, queued), payload, () => Interlocked.Increment(ref released)))
            queued++;

        var closed = end.WaitClosed();
        Assert.Equal(CloseCause.PeerNotDraining, closed.Cause);
        Assert.InRange(queued, Bound / (FrameFloats * sizeof(float)), 999);
        Assert.StartsWith("data plane connection to 'stalled-worker' (127.0.0.1:", closed.Message);
        Assert.Contains("the peer is not draining its stream: ", closed.Message);
        Assert.Contains($"a Weights frame of {FrameFloats * sizeof(float)} bytes would pass the bound of {Bound} bytes", closed.Message);
        Assert.InRange(end.Connection.PeakQueuedBytes, Bound - FrameFloats * sizeof(float), Bound);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref released) == queued, ReceivingEnd.Wait));
        Assert.Equal(0, end.Connection.QueuedBytes);
        Assert.False(end.Connection.Send(new FrameHeader(FrameKind.Weights), payload));
    }

    [Fact]
    public void A_peer_that_reads_gets_every_frame_however_many_pass_through_the_bound()
    {
        using var server = new LoopbackServer(Bounded);
        using var client = server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = server.NextConnection();
        var payload = new float[FrameFloats];

        for (int i = 0; i < 64; i++)
        {
            Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights, i), payload));
            Assert.Equal(i, clientEnd.NextFrame().Header.Step);
        }

        Assert.Null(serverEnd.Connection.CloseReason);
        Assert.InRange(serverEnd.Connection.PeakQueuedBytes, FrameFloats * sizeof(float), Bound);
    }

    [Fact]
    public void One_frame_larger_than_the_bound_is_still_taken_into_an_empty_queue()
    {
        using var server = new LoopbackServer(Bounded);
        using var client = server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = server.NextConnection();

        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights, 7), new float[Bound]));

        var frame = clientEnd.NextFrame();
        Assert.Equal((7L, (int)Bound), (frame.Header.Step, frame.Payload.Length));
        Assert.Null(serverEnd.Connection.CloseReason);
    }
}
