using System.Runtime.InteropServices;
using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// What a <see cref="TensorConnection"/> promises whatever its wire: written once, run over a socket
/// (<see cref="SocketConnectionTests"/>) and in memory between two ends of one process (<see cref="InProcessConnectionTests"/>).
/// </summary>
public abstract class ConnectionContractTests : IDisposable
{
    protected ConnectionContractTests() => Server = new LoopbackServer(new DataPlaneOptions { InProcess = InProcess });

    private protected LoopbackServer Server { get; }

    /// <summary>Whether both ends take in-process connections.</summary>
    protected abstract bool InProcess { get; }

    public void Dispose() => Server.Dispose();

    [Fact]
    public void The_connection_runs_on_the_wire_under_test()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();

        Assert.Equal(InProcess, client.InProcess);
        Assert.Equal(InProcess, serverEnd.Connection.InProcess);
    }

    [Fact]
    public void Frames_sent_before_the_receiver_starts_arrive_in_order_once_it_starts()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();

        for (int i = 0; i < 3; i++)
            Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights, WeightsVersion: i), new float[] { i, i + 0.5f }));
        var clientEnd = new ReceivingEnd(client);

        for (int i = 0; i < 3; i++)
        {
            var frame = clientEnd.NextFrame();
            Assert.Equal(i, frame.Header.WeightsVersion);
            Assert.Equal(new[] { i, i + 0.5f }, frame.Payload);
        }
    }

    [Fact]
    public void A_four_megabyte_payload_round_trips_bit_exactly_both_ways()
    {
        using var client = Server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = Server.NextConnection();
        var payload = RandomBits(1 << 20, seed: 1);

        Assert.True(client.Send(new FrameHeader(FrameKind.Gradients, Step: 5), payload));
        var atServer = serverEnd.NextFrame();
        Assert.True(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights, WeightsVersion: 6), atServer.Payload));
        var back = clientEnd.NextFrame();

        Assert.Equal(4 << 20, atServer.Header.PayloadBytes);
        Assert.True(MemoryMarshal.AsBytes(payload.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(atServer.Payload.AsSpan())));
        Assert.True(MemoryMarshal.AsBytes(payload.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(back.Payload.AsSpan())));
        Assert.Equal(FrameKind.Weights, back.Header.Kind);
        Assert.Equal(6, back.Header.WeightsVersion);
    }

    [Fact]
    public void Header_fields_arrive_as_sent()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        var sent = new FrameHeader(FrameKind.Moments, Step: 9, WeightsVersion: 8, ShardId: 2, Layer: 4, SampleCount: 64,
            Correct: 50, LossSum: 12.5, ComputeSeconds: 0.25);

        client.Send(sent, new float[] { 1.5f, -2f, float.NaN });
        var received = serverEnd.NextFrame();

        Assert.Equal(sent with { PayloadBytes = 12, Checksum = received.Header.Checksum }, received.Header);
        Assert.Equal(new[] { 1.5f, -2f, float.NaN }, received.Payload);
        Assert.Equal("worker-1", serverEnd.Connection.PeerId);
    }

    [Fact]
    public void Byte_counters_count_header_and_payload_of_every_frame_on_both_sides()
    {
        const int header = FrameFormat.HeaderBytes, hello = header + 8; // the Hello holds "worker-1"
        using var client = Server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = Server.NextConnection();

        client.Send(new FrameHeader(FrameKind.Gradients), new float[1000]);
        serverEnd.NextFrame();
        serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[3]);
        clientEnd.NextFrame();

        Assert.Equal(hello + header + 4000, serverEnd.Connection.BytesReceived);
        Assert.Equal(header + 12, client.BytesReceived);
        // The writer thread adds a frame once the socket took all of it, which may be just after the peer read it.
        Assert.True(SpinWait.SpinUntil(() => client.BytesSent == hello + header + 4000, ReceivingEnd.Wait), $"client sent {client.BytesSent}");
        Assert.True(SpinWait.SpinUntil(() => serverEnd.Connection.BytesSent == header + 12, ReceivingEnd.Wait),
            $"server sent {serverEnd.Connection.BytesSent}");
    }

    [Fact]
    public void Frame_counters_count_the_hello_as_sent_and_every_later_frame_once_on_each_side()
    {
        using var client = Server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = Server.NextConnection();

        client.Send(new FrameHeader(FrameKind.Gradients), new float[10]);
        serverEnd.NextFrame();
        serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[3]);
        clientEnd.NextFrame();

        Assert.Equal(1, serverEnd.Connection.FramesReceived);
        Assert.Equal(1, client.FramesReceived);
        Assert.True(SpinWait.SpinUntil(() => client.FramesSent == 2, ReceivingEnd.Wait), $"client sent {client.FramesSent} frames");
        Assert.True(SpinWait.SpinUntil(() => serverEnd.Connection.FramesSent == 1, ReceivingEnd.Wait),
            $"server sent {serverEnd.Connection.FramesSent} frames");
    }

    [Fact]
    public void Concurrent_sends_arrive_intact_and_in_per_thread_order()
    {
        const int threads = 4, framesPerThread = 200;
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();

        var senders = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < framesPerThread; i++)
                Assert.True(client.Send(new FrameHeader(FrameKind.Gradients, Step: i, ShardId: t), Tagged(t, i)));
        })).ToList();
        senders.ForEach(s => s.Start());
        senders.ForEach(s => s.Join());

        serverEnd.AssertEachThreadInOrder(threads, framesPerThread, Tagged);
    }

    [Fact]
    public void Send_after_close_reports_failure_and_the_closed_handler_runs_once()
    {
        var client = Server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = Server.NextConnection();

        client.Dispose();
        client.Dispose();

        Assert.False(client.Send(new FrameHeader(FrameKind.Gradients), new float[4]));
        Assert.False(client.SendText(new FrameHeader(FrameKind.Refused), "late"));
        Assert.Equal(CloseCause.Disposed, clientEnd.WaitClosed().Cause);
        Assert.Equal(CloseCause.PeerClosed, serverEnd.WaitClosed().Cause);
        Assert.False(serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[4]));
        Thread.Sleep(50);
        Assert.Equal(1, clientEnd.ClosedCount);
        Assert.Equal(1, serverEnd.ClosedCount);
    }

    [Fact]
    public void Starting_a_closed_connection_reports_the_reason_at_once()
    {
        var client = Server.Connect("worker-1");
        client.Dispose();

        var clientEnd = new ReceivingEnd(client);

        Assert.Equal(1, clientEnd.ClosedCount);
        Assert.Equal(CloseCause.Disposed, clientEnd.WaitClosed().Cause);
        Assert.Equal(clientEnd.WaitClosed(), client.CloseReason);
    }

    [Fact]
    public void Text_frames_carry_utf_8()
    {
        using var client = Server.Connect("worker-1");
        var clientEnd = new ReceivingEnd(client);
        var serverEnd = Server.NextConnection();

        serverEnd.Connection.SendText(new FrameHeader(FrameKind.Refused, Step: 2), "model spec differs: 784-256-10 ≠ 784-128-10");
        var refused = clientEnd.NextFrame();

        Assert.Equal(FrameKind.Refused, refused.Header.Kind);
        Assert.Equal("model spec differs: 784-256-10 ≠ 784-128-10", refused.Text());
    }

    [Fact]
    public void A_throwing_frame_handler_closes_the_connection()
    {
        using var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        string? reason = null;
        var closed = new ManualResetEventSlim();
        client.Start((_, _) => throw new InvalidOperationException("mailbox gone"), (_, r) =>
        {
            reason = r.Message;
            closed.Set();
        });

        serverEnd.Connection.Send(new FrameHeader(FrameKind.Weights), new float[8]);

        Assert.True(closed.Wait(ReceivingEnd.Wait));
        Assert.Equal(CloseCause.HandlerFailed, client.CloseReason!.Cause);
        Assert.Contains("InvalidOperationException: mailbox gone", reason);
    }

    [Fact]
    public void Sending_more_than_the_limit_is_refused_at_the_caller()
    {
        using var small = new LoopbackServer(new DataPlaneOptions { InProcess = InProcess, MaxPayloadBytes = 1024 });
        using var client = small.Connect("worker-1");

        var error = Assert.Throws<ArgumentException>(() => client.Send(new FrameHeader(FrameKind.Gradients), new float[257]));

        Assert.Contains("1028 bytes exceeds the data plane limit of 1024 bytes", error.Message);
        Assert.True(client.Send(new FrameHeader(FrameKind.Gradients), new float[256]));
    }

    [Fact]
    public void Received_payloads_come_from_the_configured_pool()
    {
        var pool = new PayloadPool();
        using var pooled = new LoopbackServer(new DataPlaneOptions { InProcess = InProcess, Payloads = pool });
        using var client = pooled.Connect("worker-1");
        var serverEnd = pooled.NextConnection();

        client.Send(new FrameHeader(FrameKind.Gradients, Step: 1), new float[] { 1, 2, 3 });
        var first = serverEnd.NextFrame().Payload;
        pool.Return(first);
        client.Send(new FrameHeader(FrameKind.Gradients, Step: 2), new float[] { 4, 5, 6 });
        var second = serverEnd.NextFrame().Payload;

        Assert.Same(first, second);
        Assert.Equal(new float[] { 4, 5, 6 }, second);
    }

    [Fact]
    public void Written_runs_for_every_queued_frame_whether_sent_or_dropped_at_close()
    {
        const int frames = 12;
        var client = Server.Connect("worker-1");
        var serverEnd = Server.NextConnection();
        var payload = new float[1 << 20];
        using var allWritten = new CountdownEvent(frames);

        for (int i = 0; i < frames; i++)
            Assert.True(client.Send(new FrameHeader(FrameKind.Gradients, Step: i), payload, () => allWritten.Signal()));
        client.Dispose();
        // Handed over in memory, a frame's memory is free once its receiver is done with it: the receiver gives back
        // what it took, as the parameter server and the workers do.
        var receiversPool = new PayloadPool();
        while (!allWritten.IsSet && serverEnd.TryNextFrame(TimeSpan.FromMilliseconds(200)) is { } frame) receiversPool.Return(frame.Payload);

        Assert.True(allWritten.Wait(ReceivingEnd.Wait));
        Assert.False(client.Send(new FrameHeader(FrameKind.Gradients), payload, () => allWritten.Signal()));
        Assert.Equal(0, allWritten.CurrentCount);
    }

    private static float[] RandomBits(int length, int seed)
    {
        var values = new float[length];
        new Random(seed).NextBytes(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static float[] Tagged(int thread, int index) =>
        Enumerable.Range(0, 1 + index % 37).Select(k => thread * 1e6f + index * 100f + k).ToArray();
}
