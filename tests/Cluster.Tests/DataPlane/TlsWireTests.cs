using System.Runtime.InteropServices;
using System.Text;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Tests.Security;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// What crosses the wire: the same exchange (Hello with a worker id and stream token, a gradient frame up, a weights
/// frame down) through a relay that records every byte. In clear the recording holds the id, the Hello text and the
/// floats; with TLS it holds none of them.
/// </summary>
public sealed class TlsWireTests
{
    private const string WorkerId = "worker-wiretap-7", Token = "stream-token-5f3a9c";
    private readonly TestCertificates _cluster = new();

    [Fact]
    public void With_TLS_the_wire_carries_no_float_hello_or_worker_id_that_it_carries_in_clear()
    {
        var clear = Exchange(server: new DataPlaneOptions(), client: new DataPlaneOptions());
        var encrypted = Exchange(new DataPlaneOptions { Tls = _cluster.Node("coordinator") }, new DataPlaneOptions { Tls = _cluster.Node("worker-1") });

        // The control: a recording in clear holds what was sent, so the search below can find it.
        Assert.True(Holds(clear.Up, Encoding.UTF8.GetBytes(WorkerId)));
        Assert.True(Holds(clear.Up, Encoding.UTF8.GetBytes(HelloText.Format(WorkerId, Token))));
        Assert.True(Holds(clear.Up, Bytes(Gradients())));
        Assert.True(Holds(clear.Down, Bytes(Weights())));

        Assert.False(Holds(encrypted.Up, Encoding.UTF8.GetBytes(WorkerId)));
        Assert.False(Holds(encrypted.Up, Encoding.UTF8.GetBytes(Token)));
        Assert.False(Holds(encrypted.Up, Bytes(Gradients()[..16])));
        Assert.False(Holds(encrypted.Down, Bytes(Weights()[..16])));
        // Both recordings hold the whole exchange: the TLS one is larger, not empty.
        Assert.InRange(encrypted.Up.Length, Bytes(Gradients()).Length, int.MaxValue);
        Assert.InRange(encrypted.Down.Length, Bytes(Weights()).Length, int.MaxValue);
    }

    private static float[] Gradients() => Enumerable.Range(0, 1024).Select(i => 1.5f + i * 0.25f).ToArray();

    private static float[] Weights() => Enumerable.Range(0, 1024).Select(i => -3.75f - i * 0.125f).ToArray();

    private static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static bool Holds(byte[] recording, byte[] pattern) => recording.AsSpan().IndexOf(pattern) >= 0;

    /// <summary>Runs the exchange through a fresh relay; the bytes it forwarded up (to the listener) and down.</summary>
    private static (byte[] Up, byte[] Down) Exchange(DataPlaneOptions server, DataPlaneOptions client)
    {
        using var listening = new LoopbackServer(server);
        using var relay = new RecordingRelay(listening.Listener.Port);
        using var connection = TensorClient.Connect("127.0.0.1", relay.Port, WorkerId, TimeSpan.FromSeconds(5), retries: 0, client, Token);
        var worker = new ReceivingEnd(connection);
        var accepted = listening.NextConnection();

        Assert.True(connection.Send(new FrameHeader(FrameKind.Gradients), Gradients()));
        Assert.Equal(Gradients(), accepted.NextFrame().Payload[..1024]);
        Assert.True(accepted.Connection.Send(new FrameHeader(FrameKind.Weights), Weights()));
        Assert.Equal(Weights(), worker.NextFrame().Payload[..1024]);
        Assert.Equal((WorkerId, Token), (accepted.Connection.PeerId, accepted.Connection.PeerToken));
        return (relay.ToTarget(), relay.FromTarget());
    }
}
