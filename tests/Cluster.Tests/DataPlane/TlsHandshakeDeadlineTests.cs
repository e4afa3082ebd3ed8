using System.Diagnostics;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Tests.Security;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// With TLS on, the handshake deadline and bounds cover the TLS handshake as well as the Hello: a peer that never
/// finishes its TLS handshake is cut at the one deadline, and peers stalled in it hold no thread each and count
/// against the pending handshakes.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public sealed class TlsHandshakeDeadlineTests
{
    // The first bytes of a TLS ClientHello record: a handshake begun and never finished.
    private static readonly byte[] ClientHelloStart = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01];

    private readonly TestCertificates _cluster = new();

    private DataPlaneOptions Options(int pendingHandshakes = 64, double deadlineSeconds = 10) => new()
    {
        Tls = _cluster.Node("coordinator"),
        Bounds = DataPlaneBounds.Default with { PendingHandshakes = pendingHandshakes },
        Timings = DataPlaneSettings.Default with { HelloTimeout = TimeSpan.FromSeconds(deadlineSeconds) },
    };

    [Fact]
    public void A_client_that_never_finishes_the_TLS_handshake_is_closed_at_the_deadline()
    {
        using var server = new LoopbackServer(Options(deadlineSeconds: 1));
        var clock = Stopwatch.StartNew();
        using var peer = new RawPeer(server.Listener);
        peer.Send(ClientHelloStart);

        string refusal = server.NextRefusal();
        var cutAfter = clock.Elapsed;

        Assert.EndsWith("refused: finished no TLS handshake within 1 s", refusal);
        Assert.InRange(cutAfter.TotalSeconds, 0.9, 3.0);
        Assert.True(peer.ClosedByListener(TimeSpan.FromSeconds(5)));
        Assert.True(SpinWait.SpinUntil(() => server.Listener.PendingHandshakes == 0, ReceivingEnd.Wait));
    }

    [Fact]
    public void Clients_stalled_in_the_TLS_handshake_hold_no_thread_each_and_count_against_the_bound()
    {
        const int stalled = 100;
        using var server = new LoopbackServer(Options(pendingHandshakes: stalled));
        int threadsBefore = ThreadCount();
        var peers = Enumerable.Range(0, stalled).Select(_ => new RawPeer(server.Listener)).ToList();
        try
        {
            foreach (var peer in peers) peer.Send(ClientHelloStart);
            Assert.True(SpinWait.SpinUntil(() => server.Listener.PendingHandshakes == stalled, ReceivingEnd.Wait));
            Assert.InRange(ThreadCount() - threadsBefore, int.MinValue, 20);

            using var late = new RawPeer(server.Listener);
            Assert.True(late.ClosedByListener(ReceivingEnd.Wait));
            Assert.Equal(1, server.Listener.TurnedAway);
        }
        finally
        {
            foreach (var peer in peers) peer.Dispose();
        }
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }
}
