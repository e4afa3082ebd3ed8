using System.Globalization;
using DistTrainer.Shared;

namespace DistTrainer.Benchmarks;

/// <summary>The options after the subcommand: <c>--name value</c> pairs and bare <c>--flag</c>s.</summary>
public sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string?> options = new(StringComparer.Ordinal);

    public BenchmarkArguments(IReadOnlyList<string> raw)
    {
        Raw = raw;
        for (int i = 0; i < raw.Count; i++)
        {
            if (!raw[i].StartsWith("--", StringComparison.Ordinal))
                throw new InvalidInputException($"argument '{raw[i]}': expected an option starting with --");
            bool hasValue = i + 1 < raw.Count && !raw[i + 1].StartsWith("--", StringComparison.Ordinal);
            options[raw[i]] = hasValue ? raw[++i] : null;
        }
    }

    public IReadOnlyList<string> Raw { get; }

    /// <summary>--threads as a comma-separated list; by default 1 and the processor count.</summary>
    public int[] Threads => options.TryGetValue("--threads", out var list)
        ? (list ?? "").Split(',').Select(t => Positive("--threads", t)).ToArray()
        : new[] { 1, Environment.ProcessorCount }.Distinct().ToArray();

    public int Int(string name, int fallback) =>
        options.TryGetValue(name, out var value) ? Positive(name, value) : fallback;

    public string String(string name, string fallback) =>
        options.TryGetValue(name, out var value)
            ? value ?? throw new InvalidInputException($"option {name}: a value is required")
            : fallback;

    public bool Flag(string name) => options.ContainsKey(name);

    private static int Positive(string name, string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InvalidInputException($"option {name}: '{text}' is not a positive integer");
}
