using System.Net;
using System.Net.Sockets;

namespace DistTrainer.Shared.Cluster.DataPlane;

/// <summary>
/// The parameter server's end: listens on host:port and accepts worker connections. Each must open
/// with a Hello frame holding its worker id within <see cref="DataPlaneOptions.HelloTimeout"/>; the
/// connection is then handed, not yet started, to the connected handler. A connection that fails the
/// handshake is closed and the refused handler gets a one-line reason naming its address.
/// </summary>
public sealed class TensorListener : IDisposable
{
    private readonly Socket socket;
    private readonly DataPlaneOptions options;
    private readonly Action<TensorConnection> onConnected;
    private readonly Action<string> onRefused;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    public TensorListener(string host, int port, Action<TensorConnection> connectedHandler, Action<string> refusedHandler,
        DataPlaneOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        this.options = options ?? new DataPlaneOptions();
        onConnected = connectedHandler;
        onRefused = refusedHandler;
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host)[0];
        socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Accepted sockets inherit the receive buffer; setting it before listen lets TCP offer the large window at once.
            this.options.Configure(socket);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"data plane: cannot listen on {host}:{port}: {e.Message}", e);
        }
        EndPoint = socket.LocalEndPoint!;
        accepting = AcceptLoop();
    }

    /// <summary>The address actually bound (with the ephemeral port when port 0 was asked for).</summary>
    public EndPoint EndPoint { get; }

    public int Port => ((IPEndPoint)EndPoint).Port;

    /// <summary>Stops accepting; connections already handed over stay open (their owner disposes them).</summary>
    public void Dispose()
    {
        stopping.Cancel();
        socket.Dispose();
        accepting.Wait(TimeSpan.FromSeconds(2));
        stopping.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (stopping.IsCancellationRequested) return;
                onRefused($"data plane listener on {EndPoint}: accept failed: {e.Message}");
                continue;
            }
            _ = Task.Run(() => Handshake(accepted));
        }
    }

    private void Handshake(Socket accepted)
    {
        string address = accepted.RemoteEndPoint?.ToString() ?? "unknown address";
        try
        {
            options.Configure(accepted);
            accepted.ReceiveTimeout = (int)options.HelloTimeout.TotalMilliseconds;
            var reader = new FrameReader(accepted, options.MaxPayloadBytes);
            var hello = reader.Read() ?? throw new FrameProtocolException("closed the connection before sending Hello");
            if (hello.Header.Kind != FrameKind.Hello)
                throw new FrameProtocolException($"first frame is {hello.Header.Kind}, expected Hello");
            string peerId = hello.Text();
            if (string.IsNullOrWhiteSpace(peerId))
                throw new FrameProtocolException("Hello carries an empty peer id");
            accepted.ReceiveTimeout = 0;
            if (stopping.IsCancellationRequested) throw new FrameProtocolException("listener stopped during the handshake");
            onConnected(new TensorConnection(accepted, reader, peerId, options));
        }
        catch (Exception e) when (e is FrameProtocolException or EndOfStreamException or SocketException or ObjectDisposedException)
        {
            accepted.Dispose();
            string reason = e is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock }
                ? $"sent no Hello within {options.HelloTimeout.TotalSeconds:0.###} s"
                : e.Message;
            onRefused($"data plane peer {address} refused: {reason}");
        }
    }
}
