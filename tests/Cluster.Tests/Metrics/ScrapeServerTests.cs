using System.Net;
using System.Net.Sockets;
using System.Text;
using DistTrainer.Cluster.Metrics;
using Prometheus;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

public sealed class ScrapeServerTests
{
    private static readonly TimeSpan ShortDeadline = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void Answers_a_scrape_with_the_registry_and_other_requests_with_their_error()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("probe_total", "A counter.").Inc(3);
        using var server = ScrapeServer.Start(0, registry);

        Assert.Equal(3, Exposition.Scrape(server.Port).Value("probe_total"));
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", Exchange(server.Port, "GET /other HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", Exchange(server.Port, "PUT /metrics HTTP/1.1\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", Exchange(server.Port, "\u0016\u0003\u0001 hello\r\n\r\n"));
    }

    [Fact]
    public void A_head_longer_than_the_cap_is_refused_without_waiting_for_its_end()
    {
        using var server = ScrapeServer.Start(0, Prometheus.Metrics.NewCustomRegistry());

        // Exactly the cap, all read by the server: bytes left unread would make its close a reset, not an answer.
        const string start = "GET /metrics HTTP/1.1\r\nX-Filler: ";
        string answer = Exchange(server.Port, start + new string('a', ScrapeServer.MaxHeadBytes - start.Length));

        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", answer);
    }

    [Fact]
    public void A_client_that_sends_nothing_is_closed_at_the_deadline_and_the_next_scrape_is_answered()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("probe", "A gauge.").Set(1);
        using var server = ScrapeServer.Start(0, registry, ShortDeadline);
        using var silent = Connect(server.Port);

        var started = DateTime.UtcNow;
        var scraped = Exposition.Scrape(server.Port);

        Assert.Equal(1, scraped.Value("probe"));
        Assert.Equal(0, silent.Receive(new byte[16]));
        Assert.InRange(DateTime.UtcNow - started, ShortDeadline * 0.8, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Connections_arriving_while_it_starts_and_stops_never_break_it()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        Prometheus.Metrics.WithCustomRegistry(registry).CreateGauge("probe", "A gauge.").Set(2);
        var first = ScrapeServer.Start(0, registry);
        int port = first.Port;
        first.Dispose();
        using var done = new CancellationTokenSource();
        var knocking = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                try
                {
                    using var knock = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    knock.Connect(IPAddress.Loopback, port);
                }
                catch (SocketException)
                {
                    // Refused while no server listens: knock again.
                }
            }
        });

        try
        {
            for (int round = 0; round < 20; round++)
            {
                using var restarted = ScrapeServer.Start(port, registry);
                Assert.Equal(2, Exposition.Scrape(port).Value("probe"));
            }
        }
        finally
        {
            done.Cancel();
            await knocking;
        }
    }

    [Fact]
    public void After_dispose_a_scrape_is_refused()
    {
        var server = ScrapeServer.Start(0, Prometheus.Metrics.NewCustomRegistry());
        int port = server.Port;
        server.Dispose();

        var refused = Assert.Throws<SocketException>(() => Connect(port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Sends <paramref name="request"/> and reads the whole answer, up to the server's close.</summary>
    private static string Exchange(int port, string request)
    {
        using var socket = Connect(port);
        socket.ReceiveTimeout = 10_000;
        socket.Send(Encoding.ASCII.GetBytes(request));
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        for (int read; (read = socket.Receive(buffer)) > 0;)
            answer.Write(buffer, 0, read);
        return Encoding.ASCII.GetString(answer.ToArray());
    }
}
