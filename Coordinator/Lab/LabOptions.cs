using DistTrainer.Core;
using DistTrainer.Core.CommandLine;

namespace DistTrainer.Coordinator.Lab;

/// <summary>The options of `lab NAME`, parsed and checked.</summary>
public sealed record LabOptions
{
    public const string DefaultOut = "runs/lab";

    public required string Experiment { get; init; }
    /// <summary>The folder each experiment writes its report folder into.</summary>
    public string Out { get; init; } = DefaultOut;
    /// <summary>Embedded workers each training run uses; 0 trains in this process.</summary>
    public int Workers { get; init; }
    /// <summary>Replaces each experiment's own number of epochs (null: the experiment's, at its scale).</summary>
    public int? Epochs { get; init; }
    public LabScale Scale { get; init; } = LabScale.Full;
    public ulong Seed { get; init; } = 1;
    /// <summary>IDX files to use instead of Fashion-MNIST (MNIST, for instance).</summary>
    public string? DataDir { get; init; }
    public string Device { get; init; } = "cpu";
    public int Threads { get; init; }
    /// <summary>`lab all`: the one document with every report in it (default OUT/experiments.md).</summary>
    public string? Summary { get; init; }
    /// <summary>Histograms of every parameter tensor's gradient and weights every N steps in each run's event file; 0 writes none.</summary>
    public int HistogramEvery { get; init; }

    public static LabOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith('-'))
            throw new InvalidInputException($"lab: name an experiment: {string.Join(", ", ExperimentCatalog.Names)} or all");
        string name = args[0];
        if (name != ExperimentCatalog.All && ExperimentCatalog.Find(name) is null)
            throw new InvalidInputException($"lab: unknown experiment '{name}'; expected one of {string.Join(", ", ExperimentCatalog.Names)} or all");
        var reader = new ArgumentReader(args.Skip(1).ToArray(), new HashSet<string>());
        string? size = reader.String("--size");
        var options = new LabOptions
        {
            Experiment = name,
            Out = reader.String("--out", DefaultOut),
            Workers = reader.Integer("--workers", min: 0) ?? 0,
            Epochs = reader.Integer("--epochs", min: 1),
            Scale = size is null
                ? name == ExperimentCatalog.All ? LabScale.Reduced : LabScale.Full
                : ParseScale(size),
            Seed = (ulong)(reader.Integer("--seed", min: 0L) ?? 1),
            DataDir = reader.String("--data-dir"),
            Device = reader.String("--device", "cpu"),
            Threads = reader.Integer("--threads", min: 0) ?? 0,
            Summary = reader.String("--summary"),
            HistogramEvery = reader.Integer("--histogram-every", min: 1) ?? 0,
        };
        reader.RejectUnread();
        if (options.Device is not ("auto" or "cpu" or "ilgpu"))
            throw new InvalidInputException($"--device: unknown device '{options.Device}'; expected auto, cpu or ilgpu");
        if (options.Summary is not null && name != ExperimentCatalog.All)
            throw new InvalidInputException("--summary: only `lab all` writes a summary of several reports");
        return options;
    }

    /// <summary>The command that runs <paramref name="experiment"/> (or all) with these options, for the reports.</summary>
    public string CommandLine(string experiment) =>
        $"dotnet run -c Release --project Coordinator -- lab {experiment} --size {Scale.ToString().ToLowerInvariant()}" +
        (Workers > 0 ? $" --workers {Workers}" : "") + (Epochs is { } e ? $" --epochs {e}" : "") +
        (Seed != 1 ? $" --seed {Seed}" : "") + (DataDir is { } d ? $" --data-dir {d}" : "") +
        (Out != DefaultOut ? $" --out {Out}" : "") + (HistogramEvery > 0 ? $" --histogram-every {HistogramEvery}" : "") + (experiment == ExperimentCatalog.All && Summary is { } s ? $" --summary {s}" : "");

    private static LabScale ParseScale(string text) => text switch
    {
        "tiny" => LabScale.Tiny,
        "reduced" => LabScale.Reduced,
        "full" => LabScale.Full,
        _ => throw new InvalidInputException($"--size: unknown size '{text}'; expected tiny, reduced or full"),
    };
}
