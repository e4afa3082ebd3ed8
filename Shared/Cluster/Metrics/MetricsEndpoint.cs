using System.Net.Sockets;
using DistTrainer.Core;
using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// One node's Prometheus endpoint: a registry of its own (never the library's static default, so that runs and tests in
/// one process do not share counters) with the process and GC metrics, served at http://host:port/metrics/ until disposed.
/// The run's and the workers' metrics are created on <see cref="Registry"/>.
/// </summary>
public sealed class MetricsEndpoint : IDisposable
{
    private readonly ScrapeServer _server;

    private MetricsEndpoint(CollectorRegistry registry, ScrapeServer server)
    {
        Registry = registry;
        _server = server;
    }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Starts serving on <paramref name="port"/> on every interface (Prometheus scrapes a node from another container or
    /// machine); a port that cannot be listened on is bad input of <paramref name="option"/>, refused with the reason.
    /// </summary>
    public static MetricsEndpoint Start(int port, string option)
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        ProcessMetrics.Register(registry);
        try
        {
            return new MetricsEndpoint(registry, ScrapeServer.Start(port, registry));
        }
        catch (SocketException e)
        {
            throw new InvalidInputException($"{option}: cannot serve metrics on port {port}: {e.Message}");
        }
    }

    /// <summary>Stops the listener: a scrape after the run gets a refused connection, and no thread of it outlives the run.</summary>
    public void Dispose() => _server.Dispose();
}
