using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>The connection contract between two ends of one process, and what is particular to handing frames over in memory.</summary>
public sealed class InProcessConnectionTests : ConnectionContractTests
{
    protected override bool InProcess => true;

    [Fact]
    public void A_float_frame_sent_with_a_callback_lends_its_array_until_the_receiver_gives_it_back()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        int handlerThread = -1;
        float[]? received = null;
        client.Start((_, frame) =>
        {
            handlerThread = Environment.CurrentManagedThreadId;
            received = frame.Payload;
        }, (_, _) => { });
        var sent = new float[] { 1, 2, 3 };
        int written = 0;
        var receiversPool = new PayloadPool();

        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), sent, () => written++));

        Assert.Equal(Environment.CurrentManagedThreadId, handlerThread);
        Assert.Same(sent, received);
        Assert.Equal(0, written);
        receiversPool.Return(received!);
        Assert.Equal(1, written);
        Assert.Equal(0, receiversPool.PooledBytes);
        receiversPool.Return(received!);
        Assert.Equal(1, written);
        Assert.Equal(12, receiversPool.PooledBytes);
    }

    [Fact]
    public void The_same_array_lent_step_after_step_comes_home_once_per_lend()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        float[]? received = null;
        client.Start((_, frame) => received = frame.Payload, (_, _) => { });
        var sent = new float[] { 1, 2, 3 };
        int written = 0;
        var receiversPool = new PayloadPool();

        for (int step = 1; step <= 3; step++)
        {
            Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), sent, () => written++));
            Assert.Same(sent, received);
            receiversPool.Return(received!);
            Assert.Equal(step, written);
            Assert.Equal(0, receiversPool.PooledBytes);
        }
        receiversPool.Return(sent);
        Assert.Equal(3, written);
        Assert.Equal(12, receiversPool.PooledBytes);
    }

    [Fact]
    public void A_frame_sent_without_a_callback_or_in_part_of_an_array_is_copied()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        var received = new List<float[]>();
        client.Start((_, frame) => received.Add(frame.Payload), (_, _) => { });
        var sent = new float[] { 1, 2, 3, 4 };
        bool written = false;

        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), sent));
        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), sent.AsMemory(0, 3), () => written = true));

        Assert.True(written);
        Assert.All(received, payload => Assert.NotSame(sent, payload));
        Assert.Equal([new float[] { 1, 2, 3, 4 }, [1, 2, 3]], received);
    }

    [Fact]
    public void Weights_lent_to_two_workers_go_back_to_their_pool_once_both_have_given_them_back()
    {
        using var first = Server.Connect("worker-1");
        var toFirst = Server.NextConnection();
        using var second = Server.Connect("worker-2");
        var toSecond = Server.NextConnection();
        var received = new List<float[]>();
        first.Start((_, frame) => received.Add(frame.Payload), (_, _) => { });
        second.Start((_, frame) => received.Add(frame.Payload), (_, _) => { });
        var serversPool = new PayloadPool();
        var weights = new SharedPayload(serversPool, 256);

        Assert.True(weights.SendOn(toFirst.Connection, new FrameHeader(FrameKind.Weights)));
        Assert.True(weights.SendOn(toSecond.Connection, new FrameHeader(FrameKind.Weights)));
        weights.Release();

        Assert.All(received, payload => Assert.Same(weights.Array, payload));
        var workersPool = new PayloadPool();
        workersPool.Return(received[0]);
        Assert.Equal(1, weights.Holders);
        workersPool.Return(received[1]);
        Assert.Equal(0, weights.Holders);
        Assert.Equal(256 * sizeof(float), serversPool.PooledBytes);
        Assert.Equal(0, workersPool.PooledBytes);
    }

    [Fact]
    public void A_client_that_does_not_take_in_process_connections_goes_through_a_socket()
    {
        using var client = Server.Connect("worker-1", new DataPlaneOptions());
        var serverEnd = Server.NextConnection();

        client.Send(new FrameHeader(FrameKind.Gradients), new float[] { 7 });

        Assert.False(client.InProcess);
        Assert.Equal(new float[] { 7 }, serverEnd.NextFrame().Payload);
    }

    [Fact]
    public void Two_nodes_modelled_links_keep_the_socket_and_one_nodes_own_streams_go_in_memory()
    {
        var node = new DataPlaneOptions { InProcess = true, Link = LinkCap.Of(100, 1 << 16) };
        using var server = new LoopbackServer(node);
        using var fromOtherNode = server.Connect("worker-1", node with { Link = LinkCap.Of(100, 1 << 16) });
        using var fromSameNode = server.Connect("worker-2");

        Assert.False(fromOtherNode.InProcess);
        Assert.True(fromSameNode.InProcess);
    }

    [Fact]
    public void Frames_waiting_for_a_receiver_that_never_starts_are_bounded_and_close_the_sender()
    {
        using var bounded = new LoopbackServer(new DataPlaneOptions
        {
            InProcess = true,
            Bounds = DataPlaneBounds.Default with { SendQueueBytes = 4096 },
        });
        using var client = bounded.Connect("worker-1");
        var serverEnd = bounded.NextConnection();

        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[1000]));
        Assert.False(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[1000]));

        var closed = serverEnd.WaitClosed();
        Assert.Equal(CloseCause.PeerNotDraining, closed.Cause);
        Assert.Contains("4000 bytes queued", closed.Message);
        Assert.Equal(CloseCause.PeerClosed, client.CloseReason?.Cause);
    }

    [Fact]
    public void A_lent_frame_still_waiting_for_its_receiver_goes_back_to_its_sender_when_the_connection_closes()
    {
        var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        int written = 0;

        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[16], () => written++));
        Assert.Equal(0, written);
        client.Dispose();

        Assert.Equal(1, written);
    }

    [Fact]
    public void A_frame_over_the_receivers_limit_closes_the_connection_as_a_protocol_error()
    {
        using var small = new LoopbackServer(new DataPlaneOptions { InProcess = true, MaxPayloadBytes = 1024 });
        using var client = small.Connect("worker-1", new DataPlaneOptions { InProcess = true });
        var serverEnd = small.NextConnection();

        Assert.False(client.Send(new FrameHeader(FrameKind.Gradients), new float[512]));

        var closed = serverEnd.WaitClosed();
        Assert.Equal(CloseCause.ProtocolError, closed.Cause);
        Assert.Contains("payload length 2048 bytes is outside 0..1024", closed.Message);
    }

    [Fact]
    public void A_hello_longer_than_a_listener_takes_goes_through_the_socket_and_is_refused_there()
    {
        using var client = Server.Connect(new string('w', FrameFormat.MaxHelloBytes + 1));

        Assert.False(client.InProcess);
        Assert.Contains($"outside 0..{FrameFormat.MaxHelloBytes}", Server.NextRefusal());
    }

    [Fact]
    public void A_stopped_listener_takes_no_more_in_process_connections()
    {
        int port = Server.Listener.Port;
        Server.Listener.Dispose();

        Assert.Throws<IOException>(() => TensorClient.Connect("127.0.0.1", port, "worker-1", TimeSpan.FromSeconds(1), retries: 0,
            new DataPlaneOptions { InProcess = true }));
    }
}
