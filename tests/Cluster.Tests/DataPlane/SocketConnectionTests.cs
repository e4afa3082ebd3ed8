using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>The connection contract over a socket, and what only a socket meets: bytes that are not a valid frame.</summary>
public sealed class SocketConnectionTests : ConnectionContractTests
{
    protected override bool InProcess => false;

    [Fact]
    public void A_peer_dying_mid_frame_closes_the_connection_with_a_reason()
    {
        var frame = RawPeer.Frame(new FrameHeader(FrameKind.Gradients), new byte[4096]);
        using (var raw = new RawPeer(Server.Listener))
        {
            raw.SendHello("worker-7");
            raw.Send(frame[..(frame.Length / 2)]);
            Thread.Sleep(50);
        }

        var closed = Server.NextConnection().WaitClosed();

        Assert.Equal(CloseCause.PeerClosed, closed.Cause);
        Assert.Contains("'worker-7'", closed.Message);
        Assert.Contains("mid-frame", closed.Message);
    }

    [Fact]
    public void A_frame_with_a_flipped_payload_byte_is_refused()
    {
        var frame = RawPeer.Frame(new FrameHeader(FrameKind.Gradients, Step: 3), new byte[4096]);
        frame[FrameFormat.HeaderBytes + 1000] ^= 0x10;

        string reason = RefusalOf(Server, frame);

        Assert.Contains("'worker-7'", reason);
        Assert.Contains("checksum mismatch on a Gradients frame of step 3", reason);
    }

    [Fact]
    public void A_frame_with_a_wrong_magic_is_refused()
    {
        var frame = RawPeer.Frame(new FrameHeader(FrameKind.Gradients), new byte[64]);
        frame[1] ^= 0x01;

        Assert.Contains("bad magic", RefusalOf(Server, frame));
    }

    [Fact]
    public void A_frame_longer_than_the_limit_is_refused()
    {
        using var small = new LoopbackServer(new DataPlaneOptions { MaxPayloadBytes = 1024 });

        string reason = RefusalOf(small, RawPeer.Frame(new FrameHeader(FrameKind.Weights), new byte[2048]));

        Assert.Contains("payload length 2048 bytes is outside 0..1024", reason);
    }

    [Fact]
    public void A_float_frame_with_a_partial_float_is_refused()
    {
        string reason = RefusalOf(Server, RawPeer.Frame(new FrameHeader(FrameKind.Gradients), new byte[10]));

        Assert.Contains("not a whole number of float32 values", reason);
    }

    [Fact]
    public void The_array_of_a_frame_refused_as_corrupt_never_goes_back_to_the_pool()
    {
        var pool = new PayloadPool(capacityBytes: 1 << 20);
        using var pooled = new LoopbackServer(new DataPlaneOptions { Payloads = pool });
        var frame = RawPeer.Frame(new FrameHeader(FrameKind.Gradients), new byte[4096]);
        frame[^1] ^= 0x01;

        Assert.Contains("checksum mismatch", RefusalOf(pooled, frame));
        Assert.Equal(4096, pool.AllocatedBytes);
        Assert.Equal(0, pool.PooledBytes);
    }

    /// <summary>Sends a Hello and then <paramref name="frame"/> from a raw socket; the reason the connection closed with.</summary>
    private static string RefusalOf(LoopbackServer listening, byte[] frame)
    {
        using var raw = new RawPeer(listening.Listener);
        raw.SendHello("worker-7");
        raw.Send(frame);
        var serverEnd = listening.NextConnection();

        var closed = serverEnd.WaitClosed();

        Assert.Equal(CloseCause.ProtocolError, closed.Cause);
        Assert.Equal(0, serverEnd.UntakenFrames);
        return closed.Message;
    }

}
