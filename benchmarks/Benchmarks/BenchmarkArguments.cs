using DistTrainer.Core.CommandLine;

namespace DistTrainer.Benchmarks;

/// <summary>The options after the subcommand, read with the programs' own option reader.</summary>
public sealed class BenchmarkArguments(IReadOnlyList<string> raw)
{
    private readonly ArgumentReader _reader = new(raw, new HashSet<string> { "--no-torch" });

    public IReadOnlyList<string> Raw => raw;

    /// <summary>--threads as a comma-separated list; by default 1 and the processor count.</summary>
    public int[] Threads => Integers("--threads", new[] { 1, Environment.ProcessorCount }.Distinct().ToArray());

    /// <summary>A comma-separated list of whole numbers of one or more, e.g. --workers 1,2,4.</summary>
    public int[] Integers(string name, int[] fallback) => _reader.String(name) is { } list
        ? list.Split(',').Select(t => ArgumentReader.ParseInteger(name, t, min: 1)).ToArray()
        : fallback;

    public int Int(string name, int fallback) => Int(name) ?? fallback;

    /// <summary>A whole number of one or more, or null when not given.</summary>
    public int? Int(string name) => _reader.Integer(name, min: 1);

    public string String(string name, string fallback) => _reader.String(name, fallback);

    public bool Flag(string name) => _reader.Flag(name);
}
