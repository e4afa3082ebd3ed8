using System.Net.Sockets;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>The worker's end: connects to a <see cref="TensorListener"/> and introduces itself.</summary>
public static class TensorClient
{
    /// <summary>
    /// Connects to host:port, each attempt bounded by <paramref name="timeout"/>, retrying up to
    /// <paramref name="retries"/> more times with doubling pauses, then queues a Hello frame holding
    /// <paramref name="peerId"/> and <paramref name="token"/>. The connection is returned not yet started.
    /// </summary>
    /// <param name="token">The stream token of the worker's registration, which the parameter server checks.</param>
    /// <exception cref="IOException">every attempt failed; the message names the endpoint, the attempts and the last error</exception>
    public static TensorConnection Connect(string host, int port, string peerId, TimeSpan timeout, int retries,
        DataPlaneOptions? options = null, string? token = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(peerId);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        options ??= new DataPlaneOptions();
        var delay = options.Timings.FirstRetryDelay;
        string lastError = "";
        Exception? last = null;
        for (int attempt = 1; attempt <= retries + 1; attempt++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                options.Configure(socket);
                using (var deadline = new CancellationTokenSource(timeout))
                    socket.ConnectAsync(host, port, deadline.Token).AsTask().GetAwaiter().GetResult();
                var connection = new TensorConnection(socket, null, 0, options);
                connection.SendText(new FrameHeader(FrameKind.Hello), HelloText.Format(peerId, token));
                return connection;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
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
}
