using System.Net;
using System.Net.Sockets;
using System.Text;
using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// The metrics port: answers <c>GET /metrics</c> with a registry's text exposition, one connection at a time, and
/// nothing else. Written here, not prometheus-net's MetricServer, because that one runs on .NET's HttpListener, whose
/// accept callback can throw on a thread of its own, and so end the process, when a connection lands while it starts
/// (a probe polling the port met it). A scrape needs little, and each part of it is bounded: the kernel's backlog holds
/// the connections that wait, a connection is closed at its deadline whatever it sends, a request's head has a size
/// cap, and the one read buffer is allocated at start, not per stranger.
/// </summary>
internal sealed class ScrapeServer : IDisposable
{
    public const int Backlog = 16;
    public const int MaxHeadBytes = 8 * 1024;
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(5);

    private readonly Socket _listener;
    private readonly CollectorRegistry _registry;
    private readonly TimeSpan _deadline;
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _head = new byte[MaxHeadBytes];
    private readonly Task _serving;

    private ScrapeServer(Socket listener, CollectorRegistry registry, TimeSpan deadline)
    {
        _listener = listener;
        _registry = registry;
        _deadline = deadline;
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Listens on every interface (both IP versions where the host has IPv6); a port in use throws its SocketException.</summary>
    public static ScrapeServer Start(int port, CollectorRegistry registry, TimeSpan? deadline = null)
    {
        var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(listener.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, port));
            listener.Listen(Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new ScrapeServer(listener, registry, deadline ?? DefaultDeadline);
    }

    /// <summary>The port it listens on (the one given, or the kernel's choice for 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    private async Task ServeAsync()
    {
        using var body = new MemoryStream();
        while (!_stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection reset before it was accepted, or the process out of descriptors: pause, so that an error
                // that persists does not spin the loop, then take the next.
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            using (connection)
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                deadline.CancelAfter(_deadline);
                try
                {
                    await AnswerAsync(connection, body, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Past its deadline, gone, the server stopping, or a collector that threw: this connection closes
                    // unanswered, not the port; the next scrape asks again.
                }
            }
        }
    }

    private async Task AnswerAsync(Socket connection, MemoryStream body, CancellationToken cancel)
    {
        int received = 0;
        int headEnd = -1;
        while (headEnd < 0)
        {
            if (received == _head.Length)
            {
                await RespondAsync(connection, ScrapeRequest.HeadTooLarge, body, cancel).ConfigureAwait(false);
                return;
            }
            int read = await connection.ReceiveAsync(_head.AsMemory(received), SocketFlags.None, cancel).ConfigureAwait(false);
            if (read == 0)
                return;
            received += read;
            headEnd = ScrapeRequest.HeadEnd(_head.AsSpan(0, received));
        }
        await RespondAsync(connection, ScrapeRequest.Status(_head.AsSpan(0, headEnd)), body, cancel).ConfigureAwait(false);
    }

    private async Task RespondAsync(Socket connection, int status, MemoryStream body, CancellationToken cancel)
    {
        body.SetLength(0);
        if (status == ScrapeRequest.Ok)
            await _registry.CollectAndExportAsTextAsync(body, cancel).ConfigureAwait(false);
        else
            body.Write(Encoding.ASCII.GetBytes(ScrapeRequest.Reason(status) + "\n"));
        await connection.SendAsync(ScrapeRequest.ResponseHead(status, body.Length), SocketFlags.None, cancel).ConfigureAwait(false);
        await connection.SendAsync(body.GetBuffer().AsMemory(0, (int)body.Length), SocketFlags.None, cancel).ConfigureAwait(false);
        connection.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// Stops listening and closes the connection being answered: a scrape after this is refused. Waits for the loop at
    /// most one deadline, so that no scrape of this server outlives its run.
    /// </summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Dispose();
        // The loop's token source is disposed only once the loop has ended, so that it never reads a disposed token.
        if (_serving.Wait(_deadline))
            _stopping.Dispose();
    }
}
