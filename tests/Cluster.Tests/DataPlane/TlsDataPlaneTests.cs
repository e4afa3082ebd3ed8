using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Security;
using DistTrainer.Cluster.Tests.Security;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// The data plane over mutual TLS: nodes of one CA exchange frames both ways; a client of another CA, a self-signed one
/// and one that speaks no TLS are refused at the handshake, and the listener goes on serving nodes of its cluster.
/// </summary>
public sealed class TlsDataPlaneTests : IDisposable
{
    private readonly TestCertificates _cluster = new();
    private readonly LoopbackServer _server;

    public TlsDataPlaneTests() => _server = new LoopbackServer(new DataPlaneOptions { Tls = _cluster.Node("coordinator") });

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Nodes_of_one_CA_exchange_frames_both_ways_over_TLS()
    {
        float[] gradients = [1.5f, -2.25f, 3.125f, float.Epsilon], weights = [0.5f, 7f];
        using var client = _server.Connect("worker-1", WithTls(_cluster.Node("worker-1")));
        var fromServer = new ReceivingEnd(client);
        var accepted = _server.NextConnection();

        Assert.True(client.Send(new FrameHeader(FrameKind.Gradients, Step: 4), gradients));
        var received = accepted.NextFrame();
        Assert.True(accepted.Connection.Send(new FrameHeader(FrameKind.Weights, WeightsVersion: 5), weights));
        var answered = fromServer.NextFrame();

        Assert.Equal("worker-1", accepted.Connection.PeerId);
        Assert.Equal((FrameKind.Gradients, 4L), (received.Header.Kind, received.Header.Step));
        Assert.Equal(gradients, received.Payload[..gradients.Length]);
        Assert.Equal((FrameKind.Weights, 5L), (answered.Header.Kind, answered.Header.WeightsVersion));
        Assert.Equal(weights, answered.Payload[..weights.Length]);
    }

    [Fact]
    public void A_client_certificate_from_another_CA_is_refused_and_the_listener_keeps_serving()
    {
        ConnectAndExpectRefusal(new TestCertificates("other CA").Node("intruder"));

        Assert.Contains("refused: TLS: peer refused: 'CN=intruder' (issued by 'CN=other CA') is not a node certificate of this cluster's CA",
            _server.NextRefusal());
        AssertStillServing();
    }

    [Fact]
    public void A_self_signed_client_certificate_is_refused_and_the_listener_keeps_serving()
    {
        var certificate = TestCertificates.SelfSigned("intruder");
        ConnectAndExpectRefusal(TlsCredentials.Create(certificate, certificate));

        Assert.Contains("refused: TLS: peer refused: 'CN=intruder' (issued by 'CN=intruder')", _server.NextRefusal());
        AssertStillServing();
    }

    [Fact]
    public void A_plaintext_client_is_refused_at_the_handshake_and_never_delivers_a_frame()
    {
        ConnectAndExpectRefusal(null);

        Assert.Contains("refused: TLS handshake failed:", _server.NextRefusal());
        Assert.True(SpinWait.SpinUntil(() => _server.Listener.PendingHandshakes == 0, ReceivingEnd.Wait));
        AssertStillServing();
    }

    private static DataPlaneOptions WithTls(TlsCredentials? tls) => new() { Tls = tls };

    /// <summary>
    /// The intruder's connect may fail on its own side first (it does not trust this cluster's CA either), or seem to pass
    /// (TLS 1.3 finishes the client first, and a plaintext client has no handshake): then its connection is closed.
    /// </summary>
    private void ConnectAndExpectRefusal(TlsCredentials? tls)
    {
        TensorConnection intruder;
        try
        {
            intruder = _server.Connect("intruder", WithTls(tls));
        }
        catch (IOException)
        {
            return;
        }
        using (intruder)
        {
            var closed = new ReceivingEnd(intruder).WaitClosed();
            Assert.NotEqual(CloseCause.Disposed, closed.Cause);
        }
    }

    private void AssertStillServing()
    {
        using var client = _server.Connect("worker-2", WithTls(_cluster.Node("worker-2")));
        var accepted = _server.NextConnection();
        Assert.True(client.Send(new FrameHeader(FrameKind.Gradients), new float[] { 42f }));
        Assert.Equal(42f, accepted.NextFrame().Payload[0]);
        Assert.Equal("worker-2", accepted.Connection.PeerId);
    }
}
