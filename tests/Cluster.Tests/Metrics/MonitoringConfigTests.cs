using System.Text.Json;
using System.Text.RegularExpressions;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Core.Training;
using Prometheus;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

/// <summary>
/// The monitoring files deploy/ ships, read as text: Prometheus scrapes every node the compose file starts with
/// --metrics-port, and the Grafana dashboard queries only metrics the exporter registers. A structural check: promtool
/// would need a whole Prometheus installation in CI, and it could not tell whether the targets match the compose file.
/// </summary>
public sealed partial class MonitoringConfigTests
{
    [Fact]
    public void Every_metric_the_dashboard_queries_is_one_the_exporter_registers()
    {
        var registered = RegisteredSamples();
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryFile("deploy/grafana/disttrainer-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList();

        Assert.True(expressions.Count >= 10, $"{expressions.Count} expressions");
        foreach (var expression in expressions)
        {
            var names = MetricName().Matches(expression).Select(m => m.Value).ToList();
            Assert.True(names.Count > 0, $"'{expression}' names no metric");
            Assert.All(names, name => Assert.True(registered.Contains(name), $"'{expression}': the exporter registers no {name}"));
        }
        Assert.Contains(expressions, e => e.Contains("rate(disttrainer_samples_total", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_compose_service_started_with_a_metrics_port_is_scraped_by_prometheus_on_that_port()
    {
        var services = MetricsPorts(File.ReadAllText(RepositoryFile("docker-compose.yml")));
        var jobs = File.ReadAllText(RepositoryFile("deploy/prometheus.yml"))
            .Split("- job_name:", StringSplitOptions.TrimEntries).Skip(1).ToList();

        Assert.Equal(["coordinator", "coordinator-standby", "worker"], services.Keys.Order());
        foreach (var (service, port) in services)
        {
            bool scraped = jobs.Any(job => job.Contains($"\"{service}:{port}\"", StringComparison.Ordinal) ||
                                           (job.Contains($"names: [\"{service}\"]", StringComparison.Ordinal) &&
                                            job.Contains($"port: {port}", StringComparison.Ordinal)));
            Assert.True(scraped, $"deploy/prometheus.yml scrapes no {service}:{port}");
        }
    }

    /// <summary>Each service of the compose file whose command has --metrics-port, with that port.</summary>
    private static Dictionary<string, string> MetricsPorts(string compose)
    {
        var services = compose[compose.IndexOf("\nservices:", StringComparison.Ordinal)..];
        var result = new Dictionary<string, string>();
        foreach (Match service in ServiceBlock().Matches(services))
        {
            var port = MetricsPortOption().Match(service.Groups["body"].Value);
            if (port.Success) result[service.Groups["name"].Value] = port.Groups["port"].Value;
        }
        return result;
    }

    /// <summary>The sample names of a registry with every metric the exporter makes, each labelled child in use once.</summary>
    private static HashSet<string> RegisteredSamples()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        ProcessMetrics.Register(registry);
        var run = new RunMetrics(registry);
        run.OnClusterStep(new ClusterStepReport(0, 0.01, 0.004, 0.007, 0.002, 0, 0, 0, 0, 0, 0, 0, 1, 0));
        _ = new WorkerMetrics(registry, "worker-1");
        return Exposition.Of(registry).Samples.Keys.Select(sample => sample.Split('{')[0]).ToHashSet();
    }

    private static string RepositoryFile(string path)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DistTrainer.sln")))
                return Path.Combine(dir.FullName, path);
        throw new DirectoryNotFoundException($"no DistTrainer.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"\b(disttrainer|dotnet|process)_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^  (?<name>[a-z][a-z0-9_-]*):\n(?<body>(?:(?:    .*)?\n)*)", RegexOptions.Multiline)]
    private static partial Regex ServiceBlock();

    [GeneratedRegex(@"""--metrics-port"",\s*""(?<port>\d+)""")]
    private static partial Regex MetricsPortOption();
}
