using DistTrainer.Cluster.Security;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core;
using DistTrainer.Core.CommandLine;
using DistTrainer.Core.Nn.Init;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Coordinator.Cli;

/// <summary>`train`'s and `coordinator`'s command line, parsed and checked into <see cref="TrainOptions"/>; names follow the documented CLI contract.</summary>
public static class TrainArguments
{
    private static readonly IReadOnlySet<string> Flags = new HashSet<string> { "--no-shuffle", NodeSecurity.InsecureFlag };

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
            Layers = reader.String("--layers", TrainOptions.DefaultLayers),
            Init = reader.String("--init") is { } init ? Initializer.Parse(init, "--init") : Initializer.Default,
            Loss = reader.String("--loss", "cross-entropy"),
            Optimizer = new OptimizerSettings(reader.String("--optimizer", "adam"),
                LearningRate: reader.Float("--lr"), Momentum: reader.Float("--momentum"),
                Beta1: reader.Float("--beta1"), Beta2: reader.Float("--beta2"), Eps: reader.Float("--eps"),
                Rho: reader.Float("--rho"), Alpha: reader.Float("--alpha"), WeightDecay: reader.Float("--weight-decay")),
            BatchSize = batch is "full" ? null : reader.Integer("--batch-size", min: 1) ?? 128,
            Epochs = reader.Integer("--epochs", min: 1) ?? 10,
            Steps = reader.Integer("--steps", min: 1L),
            LengthGiven = reader.Has("--epochs") || reader.Has("--steps"),
            Shuffle = !reader.Flag("--no-shuffle"),
            Seed = (ulong)(reader.Integer("--seed", min: 0L) ?? 1),
            Device = reader.String("--device", "auto"),
            Threads = reader.Integer("--threads", min: 0) ?? 0,
            InitFrom = reader.String("--init-from"),
            Save = reader.String("--save"),
            Summary = reader.String("--summary"),
            LogDir = reader.String("--log-dir"),
            Workers = reader.Integer("--workers", min: 0) ?? 2,
            Cluster = ClusterArguments.Read(reader),
            Resume = reader.String("--resume"),
            CheckpointEvery = reader.Integer("--checkpoint-every", min: 1),
            MetricsPort = reader.Integer("--metrics-port", min: 0) is { } metrics and > 0 ? metrics : null,
            TensorBoard = reader.String("--tensorboard"),
            HistogramEvery = reader.Integer("--histogram-every", min: 1) ?? 0,
        };
        reader.RejectUnread();
        if (options.CheckpointEvery is not null && options.Save is null)
            throw new InvalidInputException("--checkpoint-every: needs --save FILE, the checkpoint it rewrites");
        if (options.HistogramEvery > 0 && options.TensorBoard is null)
            throw new InvalidInputException("--histogram-every: needs --tensorboard DIR, the folder the histograms are written to");
        if (options.Workers == 0 && options.Cluster.SeedNodes is not null)
            throw new InvalidInputException("--workers 0 trains in one process; it takes no --seed-nodes");
        if (options.MetricsPort > ushort.MaxValue)
            throw new InvalidInputException($"--metrics-port: {options.MetricsPort} is not a port number (0-65535)");
        if (options.Device is not ("auto" or "cpu" or "ilgpu"))
            throw new InvalidInputException($"--device: unknown device '{options.Device}'; expected auto, cpu or ilgpu");
        return options;
    }
}
