using System.Net;
using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class TensorListenerTests : IDisposable
{
    private readonly LoopbackServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Port_zero_binds_an_ephemeral_port_that_clients_reach()
    {
        using var client = _server.Connect("worker-3");
        var accepted = _server.NextConnection();

        var bound = Assert.IsType<IPEndPoint>(_server.Listener.EndPoint);
        Assert.NotEqual(0, bound.Port);
        Assert.Equal(bound.Port, _server.Listener.Port);
        Assert.Equal("worker-3", accepted.Connection.PeerId);
        Assert.StartsWith("'worker-3' (127.0.0.1:", accepted.Connection.Peer);
    }

    [Fact]
    public void A_first_frame_other_than_hello_is_refused()
    {
        using var raw = new RawPeer(_server.Listener);
        raw.Send(RawPeer.Frame(new FrameHeader(FrameKind.Gradients), new byte[16]));

        string reason = _server.NextRefusal();

        Assert.StartsWith("data plane peer 127.0.0.1:", reason);
        Assert.EndsWith("refused: first frame is Gradients, expected Hello", reason);
    }

    [Fact]
    public void A_hello_with_a_wrong_magic_is_refused()
    {
        using var raw = new RawPeer(_server.Listener);
        var hello = RawPeer.Frame(new FrameHeader(FrameKind.Hello), "worker-3"u8.ToArray());
        hello[3] = (byte)'X';
        raw.Send(hello);

        Assert.Contains("refused: bad magic", _server.NextRefusal());
    }

    [Fact]
    public void An_empty_peer_id_is_refused()
    {
        using var raw = new RawPeer(_server.Listener);
        raw.SendHello(" ");

        Assert.EndsWith("refused: Hello carries an empty peer id", _server.NextRefusal());
    }

    [Fact]
    public void A_peer_that_sends_no_hello_is_refused_after_the_timeout()
    {
        using var impatient = new LoopbackServer(new DataPlaneOptions { Timings = DataPlaneSettings.Default with { HelloTimeout = TimeSpan.FromMilliseconds(300) } });
        using var raw = new RawPeer(impatient.Listener);

        Assert.EndsWith("refused: sent no Hello within 0.3 s", impatient.NextRefusal());
    }

    [Fact]
    public void Listening_on_a_port_in_use_names_the_address()
    {
        int taken = _server.Listener.Port;

        var error = Assert.Throws<IOException>(() => new TensorListener("127.0.0.1", taken, _ => { }, _ => { }));

        Assert.StartsWith($"data plane: cannot listen on 127.0.0.1:{taken}: ", error.Message);
    }
}
