using DistTrainer.Cluster.Metrics;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Fact]
    public void Serves_the_process_and_gc_pause_metrics_over_http_until_disposed()
    {
        int port = Ports.Free();
        var endpoint = MetricsEndpoint.Start(port, "--metrics-port");
        Exposition served;
        try
        {
            GC.Collect();
            served = Exposition.Scrape(port);
        }
        finally
        {
            endpoint.Dispose();
        }

        Assert.Equal("counter", served.Types[ProcessMetrics.GcPauseName]);
        Assert.True(served.Value(ProcessMetrics.GcPauseName) > 0, "a collection has paused the process");
        Assert.True(served.Value("process_num_threads") > 0);
        Assert.ThrowsAny<HttpRequestException>(() => Exposition.Scrape(port));
    }

    [Fact]
    public void Two_endpoints_keep_their_own_counts()
    {
        using var first = MetricsEndpoint.Start(Ports.Free(), "--metrics-port");
        using var second = MetricsEndpoint.Start(Ports.Free(), "--metrics-port");

        new WorkerMetrics(first.Registry, "worker-1").ShardComputed(0.1);

        Assert.Equal(1, Exposition.Of(first.Registry).Value("disttrainer_worker_shards_computed_total{node=\"worker-1\"}"));
        Assert.DoesNotContain(Exposition.Of(second.Registry).Samples.Keys, k => k.StartsWith("disttrainer_worker_", StringComparison.Ordinal));
    }

    [Fact]
    public void A_port_already_served_is_refused_naming_the_option_and_the_port()
    {
        int port = Ports.Free();
        using var first = MetricsEndpoint.Start(port, "--metrics-port");

        var refused = Assert.Throws<InvalidInputException>(() => MetricsEndpoint.Start(port, "--metrics-port"));

        Assert.StartsWith($"--metrics-port: cannot serve metrics on port {port}: ", refused.Message);
    }
}
