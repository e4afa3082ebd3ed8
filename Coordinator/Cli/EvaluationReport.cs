using System.Globalization;
using System.Text;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Checkpoints;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// An <see cref="Evaluation"/> as text: the same aligned tables (per-class accuracy, confusion matrix)
/// on the console and in a Markdown report, which also links the confusion-matrix plot.
/// </summary>
public static class EvaluationReport
{
    public const string MarkdownFile = "evaluation.md";
    public const string PlotFile = "confusion-matrix.png";

    public static void Print(Evaluation evaluation, TextWriter output)
    {
        output.WriteLine($"evaluated {evaluation.Checkpoint} on {evaluation.Dataset} ({evaluation.Split} split, {evaluation.Samples} samples): " +
                         $"loss {Number(evaluation.Loss)} ({evaluation.LossName}), accuracy {Number(evaluation.Accuracy)}");
        output.WriteLine();
        output.WriteLine("per-class accuracy:");
        output.WriteLine(PerClassTable(evaluation));
        output.WriteLine();
        output.WriteLine("confusion matrix (rows: true class, columns: predicted class):");
        output.WriteLine(MatrixTable(evaluation));
    }

    /// <summary>Writes the Markdown report and the confusion-matrix PNG into <paramref name="folder"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(Evaluation evaluation, string folder)
    {
        Directory.CreateDirectory(folder);
        var matrix = evaluation.Matrix;
        string plot = ConfusionMatrixPlot.Save(Path.Combine(folder, PlotFile),
            $"Confusion matrix of {Path.GetFileName(evaluation.Checkpoint)}\n{Path.GetFileName(evaluation.Dataset)} {evaluation.Split} split, " +
            $"{evaluation.Samples} samples: accuracy {Number(evaluation.Accuracy)}",
            matrix, evaluation.ClassNames);

        var text = new StringBuilder();
        text.AppendLine($"# Evaluation of {Path.GetFileName(evaluation.Checkpoint)}").AppendLine();
        text.AppendLine($"- checkpoint: `{Path.GetFullPath(evaluation.Checkpoint)}`");
        text.AppendLine($"- model: `{evaluation.Model}` ({evaluation.ParameterCount:N0} parameters), in inference mode " +
                        "(batch norm with its running statistics, no dropout)");
        text.AppendLine($"- dataset: {DatasetLabel(evaluation)}, {evaluation.Samples} samples");
        text.AppendLine($"- loss ({evaluation.LossName}, mean): {Number(evaluation.Loss)}");
        text.AppendLine($"- accuracy: {Number(evaluation.Accuracy)} ({matrix.Correct} of {matrix.Total} samples)");
        text.AppendLine($"- backend: {evaluation.Backend}").AppendLine();
        text.AppendLine("## Per-class accuracy").AppendLine();
        text.AppendLine("The share of each true class's samples that the model predicts as that class.").AppendLine();
        text.AppendLine(PerClassTable(evaluation)).AppendLine();
        text.AppendLine("## Confusion matrix").AppendLine();
        text.AppendLine("Rows are the true classes, columns the predicted ones; the diagonal holds the samples predicted right.").AppendLine();
        text.AppendLine(MatrixTable(evaluation)).AppendLine();
        text.AppendLine($"![confusion matrix]({PlotFile})");
        string markdown = Path.Combine(folder, MarkdownFile);
        AtomicFile.WriteAllText(markdown, text.ToString());
        return [markdown, plot];
    }

    private static string DatasetLabel(Evaluation evaluation) => $"{evaluation.Dataset} ({evaluation.Split} split)";

    private static string PerClassTable(Evaluation evaluation)
    {
        var matrix = evaluation.Matrix;
        bool named = IsNamed(evaluation);
        var rows = Enumerable.Range(0, matrix.ClassCount).Select(c => new[] { Integer(c) }
            .Concat(named ? [evaluation.ClassNames[c]] : [])
            .Concat([Integer(matrix.Samples(c)), Integer(matrix[c, c]), matrix.ClassAccuracy(c) is { } accuracy ? Number(accuracy) : "-"])
            .ToArray());
        string[] header = named ? ["class", "name", "samples", "correct", "accuracy"] : ["class", "samples", "correct", "accuracy"];
        return Table(header, leftAligned: named ? 2 : 1, rows);
    }

    private static string MatrixTable(Evaluation evaluation)
    {
        var matrix = evaluation.Matrix;
        bool named = IsNamed(evaluation);
        var header = new[] { "true \\ predicted" }.Concat(Enumerable.Range(0, matrix.ClassCount).Select(c => Integer(c))).ToArray();
        var rows = Enumerable.Range(0, matrix.ClassCount).Select(t =>
            new[] { named ? $"{t} {evaluation.ClassNames[t]}" : Integer(t) }
                .Concat(Enumerable.Range(0, matrix.ClassCount).Select(p => Integer(matrix[t, p]))).ToArray());
        return Table(header, leftAligned: 1, rows);
    }

    /// <summary>Whether the classes have names of their own (Fashion-MNIST's garments) rather than their numbers.</summary>
    private static bool IsNamed(Evaluation evaluation) =>
        evaluation.ClassNames.Select((name, c) => name != Integer(c)).Any(differs => differs);

    /// <summary>
    /// A Markdown table padded so that its columns line up as plain text too: the first
    /// <paramref name="leftAligned"/> columns to the left, the numbers after them to the right.
    /// </summary>
    private static string Table(IReadOnlyList<string> header, int leftAligned, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(c => Math.Max(3, all.Max(r => r[c].Length))).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            "| " + string.Join(" | ", cells.Select((cell, c) => c < leftAligned ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))) + " |";
        string rule = "|" + string.Concat(widths.Select((w, c) => c < leftAligned ? $"{new string('-', w + 1)}-|" : $"{new string('-', w + 1)}:|"));
        return string.Join(Environment.NewLine, all.Select((row, i) => i == 0 ? Line(row) + Environment.NewLine + rule : Line(row)));
    }

    private static string Number(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
