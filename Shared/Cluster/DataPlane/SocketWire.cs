using System.Net.Sockets;
using System.Security.Authentication;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Frames over a socket's stream (the socket's own, or a TLS session over it): a dedicated reader thread reads
/// and checks each frame (<see cref="FrameReader"/>), and a <see cref="FrameSender"/> writes them, from its own
/// thread or the caller's. The wire owns the socket and the stream.
/// </summary>
internal sealed class SocketWire(Socket socket, Stream stream, long helloBytes, DataPlaneOptions options) : FrameWire
{
    private readonly FrameReader _reader = new(stream, options, helloBytes);
    private FrameSender _sender = null!;
    private TensorConnection _connection = null!;
    private Thread? _readerThread;

    public override string Address { get; } = PeerAddress.Describe(socket.RemoteEndPoint);

    public override long BytesSent => _sender.BytesSent;

    public override long BytesReceived => _reader.BytesReceived;

    public override long FramesSent => _sender.FramesSent;

    public override long FramesReceived => _reader.FramesReceived;

    public override long QueuedBytes => _sender.QueuedBytes;

    public override long PeakQueuedBytes => _sender.PeakQueuedBytes;

    public override void Attach(TensorConnection connection)
    {
        _connection = connection;
        _sender = new FrameSender(stream, connection.Peer, options.Bounds.SendQueueBytes,
            e => connection.Close(CloseCause.SendFailed, $"sending failed: {e.Message}"), options.Link?.Send);
    }

    public override void Start()
    {
        _readerThread = new Thread(ReadFrames) { IsBackground = true, Name = $"data plane receive from {_connection.Peer}" };
        _readerThread.Start();
    }

    public override EnqueueOutcome Send(FrameHeader header, ReadOnlyMemory<float> payload, Action? written, bool here) =>
        here ? _sender.TryWriteHere(header, payload, written) : _sender.TryEnqueue(header, payload, written);

    public override void Close()
    {
        _sender.Complete();
        // The socket first: a read or write blocked in the stream then fails at once, whatever the stream wraps.
        socket.Dispose();
        stream.Dispose();
    }

    public override void Join(TimeSpan wait)
    {
        foreach (var thread in new[] { _readerThread, _sender.Thread })
        {
            if (thread is not null && thread != Thread.CurrentThread) thread.Join(wait);
        }
    }

    private void ReadFrames()
    {
        try
        {
            while (_reader.Read() is { } frame)
            {
                if (!_connection.Deliver(frame)) return;
            }
            _connection.Close(CloseCause.PeerClosed, "peer closed the connection");
        }
        catch (EndOfStreamException e)
        {
            _connection.Close(CloseCause.PeerClosed, e.Message);
        }
        catch (FrameProtocolException e)
        {
            _connection.Close(CloseCause.ProtocolError, $"protocol error: {e.Message}");
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted } reset)
        {
            _connection.Close(CloseCause.PeerClosed, $"connection reset: {reset.Message}");
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or AuthenticationException)
        {
            _connection.Close(CloseCause.ReceiveFailed, $"receiving failed: {e.Message}");
        }
    }
}
