using DistTrainer.Core.Nn.Init;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// Everything one training run needs to know, as `train` takes it (see <c>Cli/TrainArguments</c> for the command line):
/// the data, the model, the optimizer, how long to train, where it runs and what it leaves behind.
/// </summary>
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
    /// <summary>
    /// How long the run is: <see cref="Steps"/> when given, else <see cref="Epochs"/> whole epochs. A new run counts them
    /// from its first step; a resumed run (<see cref="Resume"/>) counts them from step 0, as the whole run's length.
    /// </summary>
    public int Epochs { get; init; } = 10;
    public long? Steps { get; init; }
    /// <summary>Whether --epochs or --steps was given: without them a resumed run keeps the total its checkpoint recorded.</summary>
    public bool LengthGiven { get; init; } = true;
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
    /// <summary>Where the run serves its Prometheus metrics, the embedded workers' included (null: nowhere).</summary>
    public int? MetricsPort { get; init; }
    /// <summary>The folder the run's TensorBoard event file goes to (null: none is written).</summary>
    public string? TensorBoard { get; init; }
    /// <summary>Histograms of each parameter tensor's gradient and weights every N steps into the event file; 0 writes none.</summary>
    public int HistogramEvery { get; init; }
}
