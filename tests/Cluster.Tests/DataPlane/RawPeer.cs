using System.IO.Hashing;
using System.Net.Sockets;
using System.Text;
using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>A plain socket speaking to a listener byte by byte, to send frames a real connection never would.</summary>
internal sealed class RawPeer : IDisposable
{
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp);

    public RawPeer(TensorListener listener) => _socket.Connect("127.0.0.1", listener.Port);

    /// <summary>The exact bytes of a frame as a connection would write it.</summary>
    public static byte[] Frame(FrameHeader header, byte[] payload)
    {
        var bytes = new byte[FrameFormat.HeaderBytes + payload.Length];
        FrameFormat.Write(header with { PayloadBytes = payload.Length }, payload, new XxHash3(), bytes);
        payload.CopyTo(bytes, FrameFormat.HeaderBytes);
        return bytes;
    }

    public void SendHello(string peerId) => Send(Frame(new FrameHeader(FrameKind.Hello), Encoding.UTF8.GetBytes(peerId)));

    public void Send(byte[] bytes) => _socket.Send(bytes);

    /// <summary>A frame header as a connection would write it, announcing <paramref name="payloadBytes"/> that never follow.</summary>
    public static byte[] HeaderAnnouncing(FrameKind kind, int payloadBytes)
    {
        var bytes = new byte[FrameFormat.HeaderBytes];
        FrameFormat.Write(new FrameHeader(kind, PayloadBytes: payloadBytes), [], new XxHash3(), bytes);
        return bytes;
    }

    /// <summary>Whether the listener closed this connection: a read sees its end within <paramref name="wait"/>.</summary>
    public bool ClosedByListener(TimeSpan wait)
    {
        _socket.ReceiveTimeout = (int)wait.TotalMilliseconds;
        try
        {
            return _socket.Receive(new byte[1]) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    public void Dispose() => _socket.Dispose();
}
