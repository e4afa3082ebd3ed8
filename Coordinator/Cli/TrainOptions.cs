using DistTrainer.Shared;
using DistTrainer.Shared.CommandLine;
using DistTrainer.Shared.Nn.Init;
using DistTrainer.Shared.Optimizers;

namespace DistTrainer.Coordinator.Cli;

/// <summary>The options of `train`, parsed and checked; names follow the documented CLI contract.</summary>
public sealed record TrainOptions
{
    public const string DefaultLayers =
        "linear:784:256,batchnorm:256,relu,dropout:0.2,linear:256:256,batchnorm:256,relu,dropout:0.2,linear:256:10";

    public string? Dataset { get; init; }
    public string? DataDir { get; init; }
    /// <summary>Trains on the first N samples of the training set only (null: all of them).</summary>
    public int? TrainSamples { get; init; }
    /// <summary>Scores the first N samples of the test set only (null: all of them).</summary>
    public int? TestSamples { get; init; }
    public string Layers { get; init; } = DefaultLayers;
    public Initializer Init { get; init; } = Initializer.Default;
    public string Loss { get; init; } = "cross-entropy";
    public OptimizerSettings Optimizer { get; init; } = new("adam");
    /// <summary>null means the whole training set in one batch (full-batch gradient descent).</summary>
    public int? BatchSize { get; init; } = 128;
    public int Epochs { get; init; } = 10;
    public long? Steps { get; init; }
    public bool Shuffle { get; init; } = true;
    public ulong Seed { get; init; } = 1;
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    public string? InitFrom { get; init; }
    public string? Save { get; init; }
    public string? Summary { get; init; }
    public string? LogDir { get; init; }
    /// <summary>In-process workers of the embedded cluster; 0 trains in this process without a cluster.</summary>
    public int Workers { get; init; } = 2;
    public ClusterOptions Cluster { get; init; } = new();
    public string? Resume { get; init; }

    /// <summary>Whether the run goes through the cluster (embedded workers, or seed nodes) rather than one process.</summary>
    public bool Distributed => Workers > 0 || Cluster.SeedNodes is not null || Cluster.ExpectWorkers is not null;
    public int? CheckpointEvery { get; init; }

    private static readonly IReadOnlySet<string> Flags = new HashSet<string> { "--no-shuffle" };

    public static TrainOptions Parse(IReadOnlyList<string> args)
    {
        var reader = new ArgumentReader(args, Flags);
        if (reader.Has("--dataset") && reader.Has("--data-dir"))
            throw new InvalidInputException("--dataset and --data-dir: give one or the other");
        if (reader.Has("--init-from") && reader.Has("--resume"))
            throw new InvalidInputException("--init-from and --resume: give one or the other");
        if (reader.Has("--epochs") && reader.Has("--steps"))
            throw new InvalidInputException("--epochs and --steps: give one or the other");
        var batch = reader.String("--batch-size");
        var options = new TrainOptions
        {
            Dataset = reader.String("--dataset"),
            DataDir = reader.String("--data-dir"),
            TrainSamples = reader.Integer("--train-samples", min: 1),
            TestSamples = reader.Integer("--test-samples", min: 1),
            Layers = reader.String("--layers", DefaultLayers),
            Init = reader.String("--init") is { } init ? Initializer.Parse(init, "--init") : Initializer.Default,
            Loss = reader.String("--loss", "cross-entropy"),
            Optimizer = new OptimizerSettings(reader.String("--optimizer", "adam"),
                LearningRate: reader.Float("--lr"), Momentum: reader.Float("--momentum"),
                Beta1: reader.Float("--beta1"), Beta2: reader.Float("--beta2"), Eps: reader.Float("--eps"),
                Rho: reader.Float("--rho"), Alpha: reader.Float("--alpha"), WeightDecay: reader.Float("--weight-decay")),
            BatchSize = batch is "full" ? null : reader.Integer("--batch-size", min: 1) ?? 128,
            Epochs = reader.Integer("--epochs", min: 1) ?? 10,
            Steps = reader.Integer("--steps", min: 1L),
            Shuffle = !reader.Flag("--no-shuffle"),
            Seed = (ulong)(reader.Integer("--seed", min: 0L) ?? 1),
            Device = reader.String("--device", "auto"),
            Threads = reader.Integer("--threads", min: 0) ?? 0,
            InitFrom = reader.String("--init-from"),
            Save = reader.String("--save"),
            Summary = reader.String("--summary"),
            LogDir = reader.String("--log-dir"),
            Workers = reader.Integer("--workers", min: 0) ?? 2,
            Cluster = ClusterOptions.Read(reader),
            Resume = reader.String("--resume"),
            CheckpointEvery = reader.Integer("--checkpoint-every", min: 1),
        };
        reader.RejectUnread();
        if (options.CheckpointEvery is not null && options.Save is null)
            throw new InvalidInputException("--checkpoint-every: needs --save FILE, the checkpoint it rewrites");
        if (options.Workers == 0 && options.Cluster.SeedNodes is not null)
            throw new InvalidInputException("--workers 0 trains in one process; it takes no --seed-nodes");
        if (options.Device is not ("auto" or "cpu" or "ilgpu"))
            throw new InvalidInputException($"--device: unknown device '{options.Device}'; expected auto, cpu or ilgpu");
        return options;
    }
}
