using System.Diagnostics;
using System.Text;
using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// `lab NAME`: runs one experiment, or `lab all` every one of them, each writing its report folder under
/// --out; `lab all` also writes one document with every report (--summary). An experiment that fails does
/// not stop the others; the exit code says so.
/// </summary>
public static class LabCommand
{
    public static int Run(LabOptions options, TextWriter output, ILogger log)
    {
        var context = new LabContext(options, log, output);
        var experiments = options.Experiment == ExperimentCatalog.All
            ? ExperimentCatalog.Experiments
            : [ExperimentCatalog.Find(options.Experiment)!];
        var clock = Stopwatch.StartNew();
        var reports = new List<LabReport>();
        var failures = new List<string>();
        foreach (var experiment in experiments)
        {
            output.WriteLine($"lab {experiment.Name} ({options.Scale.ToString().ToLowerInvariant()} size" +
                             $"{(options.Workers > 0 ? $", {options.Workers} workers" : "")}):");
            context.Experiment = experiment.Name;
            var started = Stopwatch.GetTimestamp();
            try
            {
                var report = experiment.Run(context);
                reports.Add(report);
                output.WriteLine($"  {report.Headline}");
                output.WriteLine($"  report: {Path.Combine(report.Folder, "report.md")} ({Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s)");
            }
            catch (Exception e) when (e is not InvalidInputException || experiments.Count > 1)
            {
                log.Error(e, "Lab experiment {Experiment} failed", experiment.Name);
                failures.Add($"{experiment.Name}: {e.Message}");
                output.WriteLine($"  failed: {e.Message}");
            }
        }
        if (options.Experiment == ExperimentCatalog.All)
        {
            string summary = options.Summary ?? Path.Combine(options.Out, "experiments.md");
            WriteSummary(summary, options, reports, failures, clock.Elapsed.TotalSeconds);
            output.WriteLine($"all experiments: {summary} ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        foreach (var failure in failures) Console.Error.WriteLine($"error: lab {failure}");
        return failures.Count == 0 ? 0 : 1;
    }

    private static void WriteSummary(string path, LabOptions options, IReadOnlyList<LabReport> reports, IReadOnlyList<string> failures,
        double seconds)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var text = new StringBuilder();
        text.AppendLine("# The lab: classic deep-learning experiments").AppendLine();
        text.AppendLine($"Every experiment below trained real models with this trainer; {reports.Count} experiments took {seconds:F0} s in all " +
                        $"on {Environment.ProcessorCount} cores. Made by").AppendLine();
        text.AppendLine("```").AppendLine(options.CommandLine(ExperimentCatalog.All)).AppendLine("```").AppendLine();
        text.AppendLine("| experiment | finding |").AppendLine("|---|---|");
        foreach (var report in reports)
            text.AppendLine($"| [{report.Experiment}](#{Anchor(report.Title)}) | {report.Headline} |");
        foreach (var failure in failures) text.AppendLine($"| {failure.Split(':')[0]} | failed: {failure} |");
        text.AppendLine();
        foreach (var report in reports) text.AppendLine(report.Render(directory, headingLevel: 2));
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>The anchor a Markdown renderer gives a heading: lower case, spaces as dashes, punctuation dropped.</summary>
    private static string Anchor(string heading) =>
        new(heading.ToLowerInvariant().Replace(' ', '-').Where(c => char.IsLetterOrDigit(c) || c is '-' or '_').ToArray());
}
