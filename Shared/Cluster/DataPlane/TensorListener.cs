using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Serilog;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The parameter server's end: listens on host:port and accepts worker connections. With a TLS identity in
/// its options each must first pass a mutual TLS handshake (its certificate from the private CA); then it must
/// send a Hello frame holding its worker id and stream token (<see cref="HelloText"/>), both within one deadline
/// (<see cref="DataPlaneSettings.HelloTimeout"/>, from accept to the Hello checked); the connection is then
/// handed, not yet started, to the connected handler. Nothing is allocated for a peer before it is authenticated
/// beyond the TLS session itself. A connection that fails the handshake is closed and the
/// refused handler gets a one-line reason naming its address. Handshakes hold no thread and are bounded in number
/// (<see cref="DataPlaneBounds.PendingHandshakes"/>): a connection accepted beyond it is closed at once.
/// </summary>
public sealed class TensorListener : IDisposable
{
    private static readonly TimeSpan TurnAwayLogInterval = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly Action<TensorConnection> _onConnected;
    private readonly Action<string> _onRefused;
    private readonly ILogger _log;
    private readonly Thread _accepting;
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _stopping;
    private int _pending;
    private long _turnedAway;
    private long _nextTurnAwayLog;

    public TensorListener(string host, int port, Action<TensorConnection> connectedHandler, Action<string> refusedHandler,
        DataPlaneOptions? options = null, ILogger? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        Options = options ?? new DataPlaneOptions();
        _onConnected = connectedHandler;
        _onRefused = refusedHandler;
        _log = log ?? Serilog.Core.Logger.None;
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host)[0];
        _socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Accepted sockets inherit the receive buffer; setting it before listen lets TCP offer the large window at once.
            Options.Configure(_socket);
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
        if (Options.InProcess) InProcessListeners.Add(this);
    }

    /// <summary>The address actually bound (with the ephemeral port when port 0 was asked for).</summary>
    public EndPoint EndPoint { get; }

    public int Port => ((IPEndPoint)EndPoint).Port;

    /// <summary>The limits accepted connections read with, and the pool their payloads come from.</summary>
    public DataPlaneOptions Options { get; }

    /// <summary>Accepted connections whose Hello has not yet arrived or been refused.</summary>
    public int PendingHandshakes => Volatile.Read(ref _pending);

    /// <summary>Connections closed at accept because the pending handshakes were at their bound.</summary>
    public long TurnedAway => Interlocked.Read(ref _turnedAway);

    /// <summary>Stops accepting and ends the pending handshakes; connections already handed over stay open (their owner disposes them).</summary>
    public void Dispose()
    {
        InProcessListeners.Remove(this);
        _stopping = true;
        _stop.Cancel();
        _socket.Dispose();
        _accepting.Join(Options.Timings.ThreadExitWait);
    }

    /// <summary>
    /// A connection from <paramref name="peerId"/> in this process, its frames handed over in memory
    /// (<see cref="InProcessWire"/>): the listening end goes to the connected handler as an accepted one does, with the
    /// same id and token for the parameter server to check, and the connecting end, not yet started, is returned. No
    /// TLS: the peer is code of this process, out of the network's reach. Null once the listener is stopping, or for a
    /// Hello longer than a socket's listener takes (the socket path then refuses it as it would any other).
    /// </summary>
    internal TensorConnection? ConnectInProcess(string peerId, string? token, DataPlaneOptions connecting)
    {
        int helloPayload = Encoding.UTF8.GetByteCount(HelloText.Format(peerId, token));
        if (_stopping || helloPayload > FrameFormat.MaxHelloBytes) return null;
        long helloBytes = FrameFormat.HeaderBytes + helloPayload;
        var (client, server) = InProcessWire.Pair(connecting, Options, helloBytes);
        var connection = new TensorConnection(client, null, connecting);
        _onConnected(new TensorConnection(server, peerId, Options, token));
        return connection;
    }

    /// <summary>Whether a peer connecting to <paramref name="address"/> reaches this listener.</summary>
    internal bool Serves(IPAddress address)
    {
        var bound = ((IPEndPoint)EndPoint).Address;
        return bound.Equals(address) ||
               ((bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any)) && IPAddress.IsLoopback(address));
    }

    /// <summary>
    /// Accepting runs on a thread of its own, not the thread pool, which the actors keep busy; each
    /// handshake is async I/O and takes a pool thread only while bytes are there to check.
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
            if (Interlocked.Increment(ref _pending) > Options.Bounds.PendingHandshakes)
            {
                Interlocked.Decrement(ref _pending);
                TurnAway(accepted);
                continue;
            }
            _ = HandshakeAsync(accepted);
        }
    }

    private async Task HandshakeAsync(Socket accepted)
    {
        string address = PeerAddress.Describe(accepted.RemoteEndPoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(Options.Timings.HelloTimeout);
        Stream? stream = null;
        try
        {
            Options.Configure(accepted);
            stream = await ConnectionStream.AcceptAsync(accepted, Options.Tls, deadline.Token).ConfigureAwait(false);
            var (peerId, token, helloBytes) = await HelloReader.ReadAsync(stream, deadline.Token).ConfigureAwait(false);
            if (_stopping) throw new FrameProtocolException("listener stopped during the handshake");
            _onConnected(new TensorConnection(new SocketWire(accepted, stream, helloBytes, Options), peerId, Options, token));
        }
        catch (Exception e) when (e is FrameProtocolException or IOException or SocketException or ObjectDisposedException
                                      or OperationCanceledException or AuthenticationException)
        {
            accepted.Dispose();
            stream?.Dispose();
            string reason = _stopping ? "listener stopped during the handshake"
                : deadline.IsCancellationRequested ? Late(stream)
                : e.Message;
            _onRefused($"data plane peer {address} refused: {reason}");
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Why a handshake that ran out of time was refused: which of its parts was still missing.</summary>
    private string Late(Stream? stream)
    {
        string seconds = $"{Options.Timings.HelloTimeout.TotalSeconds:0.###} s";
        return stream is null ? $"finished no TLS handshake within {seconds}" : $"sent no Hello within {seconds}";
    }

    /// <summary>Closes a connection accepted beyond the bound; logged at Debug at most once a second, with the count so far.</summary>
    private void TurnAway(Socket accepted)
    {
        string address = PeerAddress.Describe(accepted.RemoteEndPoint);
        // Counted before the close: a peer that sees its connection end must already find itself in the count.
        long count = Interlocked.Increment(ref _turnedAway);
        accepted.Dispose();
        long now = Environment.TickCount64;
        if (now < _nextTurnAwayLog) return;
        _nextTurnAwayLog = now + (long)TurnAwayLogInterval.TotalMilliseconds;
        _log.Debug("Data plane listener on {EndPoint}: {Pending} handshakes pending, the most allowed; closed {Peer} at accept ({TurnedAway} so far)",
            EndPoint, Options.Bounds.PendingHandshakes, address, count);
    }
}
