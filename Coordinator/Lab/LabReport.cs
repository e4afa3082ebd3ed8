using System.Diagnostics;
using System.Globalization;
using System.Text;
using DistTrainer.Core.Checkpoints;

namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// An experiment's Markdown report: what was expected, what the runs showed (tables, plots), and how
/// it was made (seed, configuration, scale, workers, wall time). Plots are files in the report's folder;
/// <see cref="Render"/> links them relative to wherever the Markdown is written, so the same report can
/// stand alone or inside `lab all`'s summary.
/// </summary>
public sealed class LabReport
{
    private readonly List<Func<string, string>> _blocks = new();
    private readonly List<(string Key, string Value)> _config = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly LabContext _context;
    private double? _seconds;

    public LabReport(LabContext context, string experiment, string title)
    {
        _context = context;
        Experiment = experiment;
        Title = title;
        Folder = context.Folder(experiment);
        Directory.CreateDirectory(Folder);
    }

    public string Experiment { get; }
    public string Title { get; }
    public string Folder { get; }

    /// <summary>The experiment's finding in one sentence, shown under the title and in `lab all`'s index.</summary>
    public string Headline { get; set; } = "";

    /// <summary>Where a plot of this report goes: a file in its folder.</summary>
    public string PlotPath(string fileName) => Path.Combine(Folder, fileName);

    public void Paragraph(string text) => _blocks.Add(_ => text);

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        text.Append('|').AppendJoin("", header.Select(_ => "---|")).AppendLine();
        foreach (var row in rows) text.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        string table = text.ToString().TrimEnd();
        _blocks.Add(_ => table);
    }

    /// <summary>Links the plot at <paramref name="path"/> (written by the experiment) with its caption.</summary>
    public void Image(string path, string caption)
    {
        string full = Path.GetFullPath(path);
        _blocks.Add(from => $"![{caption}]({Path.GetRelativePath(from, full).Replace('\\', '/')})");
    }

    /// <summary>A line of the configuration section: a setting every run of the experiment shares.</summary>
    public void Config(string key, string value) => _config.Add((key, value));

    /// <summary>Stops the clock and writes report.md into the report's folder; returns its path.</summary>
    public string Write()
    {
        _seconds ??= _clock.Elapsed.TotalSeconds;
        string path = Path.Combine(Folder, "report.md");
        AtomicFile.WriteAllText(path, Render(Folder, headingLevel: 1));
        return path;
    }

    /// <summary>The report as Markdown for a file in <paramref name="directory"/>, its title a heading of the given level.</summary>
    public string Render(string directory, int headingLevel)
    {
        string from = Path.GetFullPath(directory);
        var text = new StringBuilder();
        string hashes = new('#', headingLevel);
        text.AppendLine($"{hashes} {Title}").AppendLine();
        if (Headline.Length > 0) text.AppendLine($"**{Headline}**").AppendLine();
        foreach (var block in _blocks) text.AppendLine(block(from)).AppendLine();
        text.AppendLine($"{hashes}# How it was made").AppendLine();
        var options = _context.Options;
        text.AppendLine($"- command: `{options.CommandLine(Experiment)}`");
        text.AppendLine($"- seed: {options.Seed}");
        text.AppendLine(options.Workers > 0
            ? $"- trained on the embedded cluster: {options.Workers} workers on loopback"
            : "- trained in one process");
        foreach (var (key, value) in _config) text.AppendLine($"- {key}: {value}");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"- wall time: {_seconds ?? _clock.Elapsed.TotalSeconds:F1} s on {Environment.ProcessorCount} cores"));
        return text.ToString();
    }
}
