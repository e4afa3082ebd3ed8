using System.Text;

namespace DistTrainer.Benchmarks;

/// <summary>A benchmark's Markdown report: title, the command that made it, date and machine, notes, then the table.</summary>
public sealed record BenchmarkReport(string Title, string Subcommand, BenchmarkArguments Arguments)
{
    /// <summary>Said after the date, CPU and core count, e.g. the load average.</summary>
    public string MachineDetails { get; init; } = "";

    public IReadOnlyList<string> Notes { get; init; } = [];

    public void Write(string path, IReadOnlyList<string> columns, IReadOnlyList<string> rows)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {Title}");
        md.AppendLine();
        md.AppendLine($"Command: `dotnet run -c Release --project benchmarks/Benchmarks -- {Subcommand} {string.Join(' ', Arguments.Raw)}`");
        md.AppendLine($"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; CPU: {MachineInfo.CpuModel()}; logical cores: {Environment.ProcessorCount}; vectors: {MachineInfo.VectorBits()}{MachineDetails}");
        md.AppendLine();
        foreach (var note in Notes) md.AppendLine(note);
        md.AppendLine();
        md.AppendLine($"| {string.Join(" | ", columns)} |");
        md.AppendLine($"|{string.Concat(columns.Select(_ => "---|"))}");
        foreach (var row in rows) md.AppendLine(row);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, md.ToString());
        Console.WriteLine($"wrote {path}");
    }
}
