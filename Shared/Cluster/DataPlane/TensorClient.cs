using System.Net.Sockets;
using System.Security.Authentication;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>The worker's end: connects to a <see cref="TensorListener"/> and introduces itself.</summary>
public static class TensorClient
{
    /// <summary>
    /// Connects to host:port, each attempt (with its TLS handshake, when the options hold a TLS identity) bounded by
    /// <paramref name="timeout"/>, retrying up to <paramref name="retries"/> more times with doubling pauses: a
    /// refused handshake is retried too, as the listener turns away connections beyond its pending bound the same
    /// way. Then it queues a Hello frame holding <paramref name="peerId"/> and <paramref name="token"/>. The
    /// connection is returned not yet started. When the options allow it and the listener is in this process, the
    /// connection is made there, its frames handed over in memory (<see cref="TensorListener.ConnectInProcess"/>).
    /// </summary>
    /// <param name="token">The stream token of the worker's registration, which the parameter server checks.</param>
    /// <exception cref="IOException">every attempt failed; the message names the endpoint, the attempts and the last error</exception>
    public static TensorConnection Connect(string host, int port, string peerId, TimeSpan timeout, int retries,
        DataPlaneOptions? options = null, string? token = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peerId);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        options ??= new DataPlaneOptions();
        if (InProcessListeners.Find(host, port) is { } listener && options.TakesInProcess(listener.Options) &&
            listener.ConnectInProcess(peerId, token, options) is { } local)
            return local;
        var delay = options.Timings.FirstRetryDelay;
        string lastError = "";
        Exception? last = null;
        for (int attempt = 1; attempt <= retries + 1; attempt++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                options.Configure(socket);
                var stream = Open(socket, host, port, timeout, options).GetAwaiter().GetResult();
                var connection = new TensorConnection(new SocketWire(socket, stream, 0, options), null, options);
                connection.SendText(new FrameHeader(FrameKind.Hello), HelloText.Format(peerId, token));
                return connection;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or AuthenticationException)
            {
                socket.Dispose();
                last = e;
                lastError = e is OperationCanceledException ? $"timed out after {timeout.TotalSeconds:0.###} s" : e.Message;
            }
            if (attempt <= retries)
            {
                Thread.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Timings.LongestRetryDelay.Ticks));
            }
        }
        throw new IOException($"data plane: could not connect to {host}:{port} in {retries + 1} attempts; last error: {lastError}", last);
    }

    /// <summary>Connects and, when the options hold a TLS identity, authenticates both ends: one deadline for the two.</summary>
    private static async Task<Stream> Open(Socket socket, string host, int port, TimeSpan timeout, DataPlaneOptions options)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
        return await ConnectionStream.ConnectAsync(socket, host, options.Tls, deadline.Token).ConfigureAwait(false);
    }
}
