using DistTrainer.Core.CommandLine;

namespace DistTrainer.Benchmarks;

/// <summary>The options after the subcommand, read with the programs' own option reader.</summary>
public sealed class BenchmarkArguments(IReadOnlyList<string> raw)
{
    private readonly ArgumentReader _reader = new(raw, new HashSet<string> { "--no-torch" });

    public IReadOnlyList<string> Raw => raw;

    /// <summary>--threads as a comma-separated list; by default 1 and the processor count.</summary>
    public int[] Threads => _reader.String("--threads") is { } list
        ? list.Split(',').Select(t => ArgumentReader.ParseInteger("--threads", t, min: 1)).ToArray()
        : new[] { 1, Environment.ProcessorCount }.Distinct().ToArray();

    public int Int(string name, int fallback) => _reader.Integer(name, min: 1) ?? fallback;

    public string String(string name, string fallback) => _reader.String(name, fallback);

    public bool Flag(string name) => _reader.Flag(name);
}
