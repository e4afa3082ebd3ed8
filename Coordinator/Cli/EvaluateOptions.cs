using DistTrainer.Core;
using DistTrainer.Core.CommandLine;

namespace DistTrainer.Coordinator.Cli;

/// <summary>The options of `evaluate`, parsed and checked.</summary>
public sealed record EvaluateOptions
{
    public required string Checkpoint { get; init; }
    public string? Dataset { get; init; }
    public string? DataDir { get; init; }
    /// <summary>Which part of the dataset to score: "test" or "train".</summary>
    public string Split { get; init; } = "test";
    /// <summary>Scores the first N samples of the split only (null: all of them).</summary>
    public int? Samples { get; init; }
    /// <summary>Where the report and the plot go; null: a folder next to the checkpoint.</summary>
    public string? Out { get; init; }
    public string Loss { get; init; } = "cross-entropy";
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }

    /// <summary>The folder the report goes into: --out, else CHECKPOINT-evaluation beside the checkpoint (its extension dropped).</summary>
    public string OutputFolder => Out ?? Path.ChangeExtension(Checkpoint, null) + "-evaluation";

    public static EvaluateOptions Parse(IReadOnlyList<string> args)
    {
        var reader = new ArgumentReader(args, new HashSet<string>());
        if (reader.Has("--dataset") && reader.Has("--data-dir"))
            throw new InvalidInputException("--dataset and --data-dir: give one or the other");
        var options = new EvaluateOptions
        {
            Checkpoint = reader.String("--checkpoint")
                ?? throw new InvalidInputException("evaluate: give --checkpoint FILE, a model saved by train --save"),
            Dataset = reader.String("--dataset"),
            DataDir = reader.String("--data-dir"),
            Split = reader.String("--split", "test"),
            Samples = reader.Integer("--samples", min: 1),
            Out = reader.String("--out"),
            Loss = reader.String("--loss", "cross-entropy"),
            Device = reader.String("--device", "auto"),
            Threads = reader.Integer("--threads", min: 0) ?? 0,
        };
        reader.RejectUnread();
        if (options.Split is not ("test" or "train"))
            throw new InvalidInputException($"--split: unknown split '{options.Split}'; expected test or train");
        return options;
    }
}
