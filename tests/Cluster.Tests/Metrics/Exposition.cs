using System.Globalization;
using Prometheus;

namespace DistTrainer.Cluster.Tests.Metrics;

/// <summary>
/// A Prometheus text exposition read back: each metric family's <c># TYPE</c> and each sample's value, keyed by the
/// sample as written (<c>name</c> or <c>name{label="value"}</c>). Read from a registry, or scraped over HTTP.
/// </summary>
internal sealed class Exposition
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Exposition(Dictionary<string, string> types, Dictionary<string, double> samples)
    {
        Types = types;
        Samples = samples;
    }

    public IReadOnlyDictionary<string, string> Types { get; }
    public IReadOnlyDictionary<string, double> Samples { get; }

    public static Exposition Parse(string text)
    {
        var types = new Dictionary<string, string>();
        var samples = new Dictionary<string, double>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
            }
            else if (!line.StartsWith('#'))
            {
                int space = line.LastIndexOf(' ');
                samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return new Exposition(types, samples);
    }

    public static Exposition Of(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static Exposition Scrape(int port) =>
        Parse(Http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult());

    /// <summary>The sample's value; a sample that is not there fails the test with its name.</summary>
    public double Value(string sample) =>
        Samples.TryGetValue(sample, out double value) ? value : throw new KeyNotFoundException($"no sample {sample} in the exposition");

    /// <summary>The sum of a metric's samples over all its label sets (a histogram's buckets not included).</summary>
    public double Sum(string name) =>
        Samples.Where(s => s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)).Sum(s => s.Value);

}
