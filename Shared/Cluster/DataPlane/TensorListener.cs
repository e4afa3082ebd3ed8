using System.Net;
using System.Net.Sockets;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The parameter server's end: listens on host:port and accepts worker connections. Each must open
/// with a Hello frame holding its worker id and stream token (<see cref="HelloText"/>) within <see cref="DataPlaneSettings.HelloTimeout"/>; the
/// connection is then handed, not yet started, to the connected handler. A connection that fails the
/// handshake is closed and the refused handler gets a one-line reason naming its address.
/// </summary>
public sealed class TensorListener : IDisposable
{
    private readonly Socket _socket;
    private readonly DataPlaneOptions _options;
    private readonly Action<TensorConnection> _onConnected;
    private readonly Action<string> _onRefused;
    private readonly Thread _accepting;
    private volatile bool _stopping;

    public TensorListener(string host, int port, Action<TensorConnection> connectedHandler, Action<string> refusedHandler,
        DataPlaneOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        this._options = options ?? new DataPlaneOptions();
        _onConnected = connectedHandler;
        _onRefused = refusedHandler;
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host)[0];
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Accepted sockets inherit the receive buffer; setting it before listen lets TCP offer the large window at once.
            this._options.Configure(_socket);
            _socket.Bind(new IPEndPoint(address, port));
            _socket.Listen();
        }
        catch (SocketException e)
        {
            _socket.Dispose();
            throw new IOException($"data plane: cannot listen on {host}:{port}: {e.Message}", e);
        }
        EndPoint = _socket.LocalEndPoint!;
        _accepting = new Thread(AcceptLoop) { IsBackground = true, Name = $"data plane accept on {EndPoint}" };
        _accepting.Start();
    }

    /// <summary>The address actually bound (with the ephemeral port when port 0 was asked for).</summary>
    public EndPoint EndPoint { get; }

    public int Port => ((IPEndPoint)EndPoint).Port;

    /// <summary>Stops accepting; connections already handed over stay open (their owner disposes them).</summary>
    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        _accepting.Join(_options.Timings.ThreadExitWait);
    }

    /// <summary>
    /// Accepting and each handshake run on threads of their own, not the thread pool: a handshake blocks
    /// for up to the Hello timeout, and the actors that own connections keep the pool busy.
    /// </summary>
    private void AcceptLoop()
    {
        while (!_stopping)
        {
            Socket accepted;
            try
            {
                accepted = _socket.Accept();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                if (_stopping) return;
                _onRefused($"data plane listener on {EndPoint}: accept failed: {e.Message}");
                continue;
            }
            new Thread(() => Handshake(accepted)) { IsBackground = true, Name = $"data plane handshake on {EndPoint}" }.Start();
        }
    }

    private void Handshake(Socket accepted)
    {
        string address = PeerAddress.Describe(accepted.RemoteEndPoint);
        try
        {
            _options.Configure(accepted);
            accepted.ReceiveTimeout = (int)_options.Timings.HelloTimeout.TotalMilliseconds;
            var reader = new FrameReader(accepted, _options);
            var hello = reader.Read() ?? throw new FrameProtocolException("closed the connection before sending Hello");
            if (hello.Header.Kind != FrameKind.Hello)
                throw new FrameProtocolException($"first frame is {hello.Header.Kind}, expected Hello");
            var (peerId, token) = HelloText.Parse(hello.Text());
            if (string.IsNullOrWhiteSpace(peerId))
                throw new FrameProtocolException("Hello carries an empty peer id");
            accepted.ReceiveTimeout = 0;
            if (_stopping) throw new FrameProtocolException("listener stopped during the handshake");
            _onConnected(new TensorConnection(accepted, reader, peerId, _options, token));
        }
        catch (Exception e) when (e is FrameProtocolException or EndOfStreamException or SocketException or ObjectDisposedException)
        {
            accepted.Dispose();
            string reason = e is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock }
                ? $"sent no Hello within {_options.Timings.HelloTimeout.TotalSeconds:0.###} s"
                : e.Message;
            _onRefused($"data plane peer {address} refused: {reason}");
        }
    }
}
