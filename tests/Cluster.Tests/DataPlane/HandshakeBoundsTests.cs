using System.Diagnostics;
using System.Text;
using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// What a peer can make the listener spend before it is known: one deadline for the whole Hello, a Hello of a
/// few hundred bytes at most, no payload allocated before the peer is identified, no thread per handshake, a
/// bounded number of handshakes.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class HandshakeBoundsTests
{
    private readonly PayloadPool _pool = new(capacityBytes: 1 << 20);

    private DataPlaneOptions Options(int pendingHandshakes = 64, double deadlineSeconds = 10) => new()
    {
        Payloads = _pool,
        MaxPayloadBytes = 4096,
        Bounds = DataPlaneBounds.Default with { PendingHandshakes = pendingHandshakes },
        Timings = DataPlaneSettings.Default with { HelloTimeout = TimeSpan.FromSeconds(deadlineSeconds) },
    };

    [Fact]
    public void A_slow_loris_peer_is_cut_at_the_handshake_deadline_not_later()
    {
        using var server = new LoopbackServer(Options(deadlineSeconds: 1));
        using var peer = new RawPeer(server.Listener);
        var hello = RawPeer.Frame(new FrameHeader(FrameKind.Hello), Encoding.UTF8.GetBytes("worker-slow"));
        var clock = Stopwatch.StartNew();
        using var trickling = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            // One byte every 200 ms: each read succeeds, so only a deadline over the whole handshake stops it.
            foreach (byte b in hello)
            {
                peer.Send([b]);
                await Task.Delay(200, trickling.Token);
            }
        }, trickling.Token);

        string refusal = server.NextRefusal();
        var cutAfter = clock.Elapsed;
        trickling.Cancel();

        Assert.EndsWith("refused: sent no Hello within 1 s", refusal);
        Assert.InRange(cutAfter.TotalSeconds, 0.9, 3.0);
        Assert.True(peer.ClosedByListener(TimeSpan.FromSeconds(5)));
        Assert.False(trickle.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_header_announcing_a_gibibyte_before_hello_is_refused_without_allocating()
    {
        using var server = new LoopbackServer(Options());
        using var peer = new RawPeer(server.Listener);

        peer.Send(RawPeer.HeaderAnnouncing(FrameKind.Hello, 1 << 30));

        Assert.EndsWith($"refused: payload length {1 << 30} bytes is outside 0..{FrameFormat.MaxHelloBytes}", server.NextRefusal());
        Assert.Equal(0, _pool.AllocatedBytes);
        Assert.True(peer.ClosedByListener(ReceivingEnd.Wait));
    }

    [Fact]
    public void A_first_frame_other_than_hello_is_refused_before_its_payload_is_read()
    {
        using var server = new LoopbackServer(Options());
        using var peer = new RawPeer(server.Listener);

        peer.Send(RawPeer.HeaderAnnouncing(FrameKind.Gradients, 1 << 30));

        Assert.EndsWith("refused: first frame is Gradients, expected Hello", server.NextRefusal());
        Assert.Equal(0, _pool.AllocatedBytes);
    }

    [Fact]
    public void A_frame_after_hello_longer_than_the_jobs_largest_is_refused_before_it_is_read()
    {
        using var server = new LoopbackServer(Options());
        using var peer = new RawPeer(server.Listener);
        peer.SendHello("worker-1");
        var end = server.NextConnection();

        peer.Send(RawPeer.HeaderAnnouncing(FrameKind.Gradients, 1 << 20));

        var closed = end.WaitClosed();
        Assert.Equal(CloseCause.ProtocolError, closed.Cause);
        Assert.Contains($"payload length {1 << 20} bytes is outside 0..4096", closed.Message);
        Assert.Equal(0, _pool.AllocatedBytes);
    }

    [Fact]
    public void Idle_connections_waiting_for_their_hello_hold_no_thread_each()
    {
        const int idle = 200;
        using var server = new LoopbackServer(Options(pendingHandshakes: 256));
        int threadsBefore = ThreadCount();

        var peers = Enumerable.Range(0, idle).Select(_ => new RawPeer(server.Listener)).ToList();
        try
        {
            Assert.True(SpinWait.SpinUntil(() => server.Listener.PendingHandshakes == idle, ReceivingEnd.Wait));
            Assert.InRange(ThreadCount() - threadsBefore, int.MinValue, 20);
        }
        finally
        {
            foreach (var peer in peers) peer.Dispose();
        }
    }

    [Fact]
    public void Connections_beyond_the_pending_handshakes_are_closed_at_accept_and_counted()
    {
        using var server = new LoopbackServer(Options(pendingHandshakes: 4));
        var waiting = Enumerable.Range(0, 4).Select(_ => new RawPeer(server.Listener)).ToList();
        Assert.True(SpinWait.SpinUntil(() => server.Listener.PendingHandshakes == 4, ReceivingEnd.Wait));

        using (var late = new RawPeer(server.Listener))
        {
            Assert.True(late.ClosedByListener(ReceivingEnd.Wait));
        }
        Assert.Equal(1, server.Listener.TurnedAway);

        foreach (var peer in waiting) peer.Dispose();
        Assert.True(SpinWait.SpinUntil(() => server.Listener.PendingHandshakes == 0, ReceivingEnd.Wait));
        using var client = server.Connect("worker-1");
        Assert.Equal("worker-1", server.NextConnection().Connection.PeerId);
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}
