using System.Net.Sockets;

namespace DistTrainer.Shared.Cluster.DataPlane;

/// <summary>Limits and socket settings shared by both ends of the data plane.</summary>
public sealed record DataPlaneOptions
{
    /// <summary>A frame announcing a larger payload is a protocol error (and sending one is refused).</summary>
    public int MaxPayloadBytes { get; init; } = 1 << 30;

    /// <summary>How long an accepted connection may take to send its Hello frame.</summary>
    public TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Kernel send and receive buffer size. The default holds a whole 4 MB gradient, so the writer
    /// hands the kernel a frame in one call while the reader is still copying out the previous one.
    /// </summary>
    public int SocketBufferBytes { get; init; } = 4 << 20;

    /// <summary>The pause before the first connect retry; it doubles with each further attempt.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    internal void Configure(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = SocketBufferBytes;
        socket.ReceiveBufferSize = SocketBufferBytes;
    }
}
