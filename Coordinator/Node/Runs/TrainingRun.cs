using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Telemetry.TensorBoard;
using DistTrainer.Core.Training;
using Serilog;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// One run of the trainer as <see cref="TrainOptions"/> describe it: the data (cut to --train-samples and
/// --test-samples), the model initialised from the seed or a checkpoint, the optimizer and the backend, the step
/// the run ends at (<see cref="RunLength"/>) and its checkpoint. <see cref="Execute"/> trains it in this process
/// or on the cluster and writes the final --save checkpoint; afterwards <see cref="Model"/> holds the final
/// weights either way. `train`, the lab and the tests all start runs here.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private TrainingRun(TrainOptions options, Dataset train, Dataset? test, LossFunction loss, int batchSize,
        IComputeBackend backend, Sequential model, IOptimizer optimizer, BatchRunner runner, long plannedSteps, MetricsEndpoint? endpoint)
    {
        Options = options;
        Train = train;
        Test = test;
        Loss = loss;
        BatchSize = batchSize;
        Backend = backend;
        Model = model;
        Optimizer = optimizer;
        Runner = runner;
        MetricsEndpoint = endpoint;
        Metrics = endpoint is null ? null : new RunMetrics(endpoint.Registry);
        FirstStep = optimizer.StepCount;
        PlannedSteps = plannedSteps;
        Checkpoints = options.Save is { } save ? new CheckpointPlan(save, options.CheckpointEvery, plannedSteps) : null;
    }

    public TrainOptions Options { get; }
    public Dataset Train { get; }
    public Dataset? Test { get; }
    public LossFunction Loss { get; }
    public int BatchSize { get; }
    public IComputeBackend Backend { get; }
    public Sequential Model { get; }
    public IOptimizer Optimizer { get; }
    public BatchRunner Runner { get; }

    /// <summary>Serves the run's metrics from <see cref="Prepare"/> to <see cref="Dispose"/> when --metrics-port asks for it.</summary>
    public MetricsEndpoint? MetricsEndpoint { get; }

    /// <summary>
    /// Called once a cluster run has ended as planned, before its nodes shut down: the program's place to hand the training's
    /// garbage back while the nodes' own memory is still live, so that the shutdown's allocations do not stack on top of it.
    /// </summary>
    public Action? BeforeNodesStop { get; set; }

    /// <summary>The coordinator's metrics of this run, on <see cref="MetricsEndpoint"/>; null without one.</summary>
    public RunMetrics? Metrics { get; }
    /// <summary>The step the run starts at: 0, or the step of the checkpoint it continues.</summary>
    public long FirstStep { get; }

    /// <summary>The step the run ends at (exclusive): its planned total, recorded in its checkpoints.</summary>
    public long PlannedSteps { get; }

    /// <summary>The steps this process trains: from <see cref="FirstStep"/> to <see cref="PlannedSteps"/>.</summary>
    public long StepsToTrain => PlannedSteps - FirstStep;

    /// <summary>The --save checkpoint, periodic with --checkpoint-every; null without --save.</summary>
    public CheckpointPlan? Checkpoints { get; }

    /// <summary>
    /// Builds the run. <paramref name="data"/> is the dataset the options name, already loaded (the lab
    /// trains many models on one); without it, it is loaded here.
    /// </summary>
    public static TrainingRun Prepare(TrainOptions options, ILogger log, (Dataset Train, Dataset? Test)? data = null)
    {
        var loss = LossFunction.Parse(options.Loss);
        var spec = ModelSpec.Parse(options.Layers, options.Init);
        var (train, test) = data ?? DatasetLoader.Load(options.Dataset, options.DataDir);
        if (options.TrainSamples is { } trainSamples) train = train.Head(trainSamples);
        if (options.TestSamples is { } testSamples) test = test?.Head(testSamples);
        CheckFits(train, spec, loss);
        if (test is not null) CheckFits(test, spec, loss);

        int batchSize = Math.Min(options.BatchSize ?? train.Count, train.Count);
        CheckBatchNormBatches(spec, train.Count, batchSize);
        int maxRows = Math.Max(batchSize, Math.Min(1024, Math.Max(train.Count, test?.Count ?? 0)));
        var backend = BackendFactory.Create(options.Device, options.Threads, log);
        Sequential? model = null;
        MetricsEndpoint? endpoint = null;
        try
        {
            model = new Sequential(spec, backend, maxRows);
            var optimizer = OptimizerFactory.Create(options.Optimizer, model.ParameterCount);
            model.Initialize(options.Seed);
            if ((options.InitFrom ?? options.Resume) is { } checkpoint)
            {
                bool restored = ModelCheckpoint.Load(checkpoint, model, optimizer);
                if (options.Resume is not null && !restored)
                    throw new InvalidInputException($"--resume {checkpoint}: the checkpoint holds no {optimizer.Name} optimizer state to continue from; use --init-from to start from its weights");
                log.Information("Initialised from {Checkpoint} (optimizer state {Restored}, step {Step})", checkpoint, restored, optimizer.StepCount);
            }
            long planned = RunLength.PlannedSteps(options, optimizer.StepCount, (train.Count - 1) / batchSize + 1, log);
            endpoint = options.MetricsPort is { } port ? MetricsEndpoint.Start(port, "--metrics-port") : null;
            return new TrainingRun(options, train, test, loss, batchSize, backend, model, optimizer, new BatchRunner(model, loss), planned,
                endpoint);
        }
        catch
        {
            endpoint?.Dispose();
            model?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Trains: in this process, or through the cluster when the options ask for one, and writes the final --save checkpoint
    /// (not after a periodic one failed for good). <paramref name="gradients"/> sees each applied step's gradient;
    /// <paramref name="akka"/> overrides the cluster's settings and the checkpoint retries (tests). The run's metrics, when
    /// it has them, hear each report before <paramref name="observer"/>. With <see cref="TrainOptions.TensorBoard"/> set,
    /// the run is also written to an event file there.
    /// </summary>
    /// <exception cref="IOException">the final checkpoint could not be written, retries included</exception>
    public RunOutcome Execute(ITrainingObserver observer, ILogger log, CancellationToken stop,
        IGradientObserver? gradients = null, Akka.Configuration.Config? akka = null)
    {
        if (Metrics is not null) observer = new TrainingObservers(Metrics, observer);
        if (Options.TensorBoard is null) return Run(observer, log, stop, gradients, akka);
        using var board = new TensorBoardObserver(Options.TensorBoard, Model.ParameterLayout, Optimizer.ResolvedSettings.LearningRate,
            Options.HistogramEvery);
        log.Information("Writing TensorBoard events to {EventFile}", board.FilePath);
        return Run(new TrainingObservers(observer, board), log, stop, gradients is null ? board : new GradientObservers(gradients, board), akka);
    }

    private RunOutcome Run(ITrainingObserver observer, ILogger log, CancellationToken stop, IGradientObserver? gradients,
        Akka.Configuration.Config? akka)
    {
        if (Options.Distributed)
            return ClusterTraining.Run(this, observer, gradients, log, stop, akka);
        var plan = new TrainingPlan(BatchSize, Options.Epochs, StepsToTrain, Options.Shuffle, Options.Seed);
        var settings = akka is null ? CoordinatorNodeSettings.Default : CoordinatorNodeSettings.Create(akka.WithFallback(ClusterConfigBuilder.Embedded));
        var writer = new CheckpointWriter(settings.CheckpointRetry, log);
        var result = new LocalTrainer(Runner, Optimizer, Train, Test, plan, log, gradients,
            Checkpoints is { } checkpoints ? (checkpoints, writer) : null).Run(observer, stop);
        bool saves = Checkpoints is not null && WritesFinalCheckpoint(result, result.Steps > FirstStep);
        if (saves && writer.TryWrite(Checkpoints!.Path, ModelCheckpoint.Capture(Model, Optimizer, PlannedSteps)) is { } error)
            throw new IOException($"--save {Checkpoints.Path}: {error}");
        return new RunOutcome(result, null, saves);
    }

    /// <summary>
    /// The final checkpoint is written after a run that applied a step, however it ended, but for a periodic checkpoint's
    /// failure, which just tried it, a lost key range's, whose weights are gone (the last periodic checkpoint stands), a failed
    /// parameter server's, whose state cannot be trusted, and a run another coordinator trains. A run that applied no step would only replace the file, perhaps the run's own newest
    /// checkpoint, with the state it began from.
    /// </summary>
    public static bool WritesFinalCheckpoint(TrainingResult result, bool appliedAny) =>
        appliedAny && (result.Failure is null || result.FailureKind is not (FailureKind.Checkpoint or FailureKind.RangeLost or FailureKind.Superseded or FailureKind.ParameterServer));

    public void Dispose()
    {
        MetricsEndpoint?.Dispose();
        Runner.Dispose();
        Model.Dispose();
        Backend.Dispose();
    }

    /// <summary>Batch norm cannot take a variance of one row: refuse up front a plan that would end an epoch on such a batch.</summary>
    private static void CheckBatchNormBatches(ModelSpec spec, int samples, int batchSize)
    {
        if (!spec.Layers.Any(l => l is BatchNormSpec)) return;
        int last = samples % batchSize == 0 ? batchSize : samples % batchSize;
        if (last < 2)
            throw new InvalidInputException(
                $"--batch-size: {batchSize} leaves a batch of 1 sample ({samples} samples), and batch norm needs at least 2 rows to train; choose another batch size");
    }

    private static void CheckFits(Dataset data, ModelSpec spec, LossFunction loss)
    {
        if (data.FeatureCount != spec.InputWidth)
            throw new InvalidInputException(
                $"--layers: the model takes {spec.InputWidth} inputs but dataset {data.Name} has {data.FeatureCount} features per sample");
        loss.ValidateLabels(data.Labels, spec.OutputWidth, $"dataset {data.Name}");
    }
}

/// <summary>How a run ended, on a cluster what the cluster did, and whether its end wrote the final --save checkpoint.</summary>
public sealed record RunOutcome(TrainingResult Result, DistributedRunReport? Cluster, bool SavedFinalCheckpoint);
