using DistTrainer.Coordinator.Actors;
using DistTrainer.Shared;
using DistTrainer.Shared.Checkpoints;
using DistTrainer.Shared.Compute;
using DistTrainer.Shared.Data;
using DistTrainer.Shared.Nn;
using DistTrainer.Shared.Nn.Losses;
using DistTrainer.Shared.Optimizers;
using DistTrainer.Shared.Training;
using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>`train`: loads the data, builds the model and optimizer, trains, and writes what was asked.</summary>
public static class TrainCommand
{
    /// <summary>Exit code of a run that stopped because the loss or a gradient stopped being finite.</summary>
    public const int Diverged = 3;

    /// <summary>Exit code of a run stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report Ctrl-C).</summary>
    public const int Interrupted = 130;

    public static int Run(TrainOptions options, TextWriter output, ILogger log)
    {
        var loss = LossFunction.Parse(options.Loss);
        var spec = ModelSpec.Parse(options.Layers, options.Init);
        var (train, test) = DatasetLoader.Load(options.Dataset, options.DataDir);
        CheckFits(train, spec, loss);
        if (test is not null) CheckFits(test, spec, loss);

        int batchSize = Math.Min(options.BatchSize ?? train.Count, train.Count);
        CheckBatchNormBatches(spec, train.Count, batchSize);
        int maxRows = Math.Max(batchSize, Math.Min(1024, Math.Max(train.Count, test?.Count ?? 0)));
        using var backend = BackendFactory.Create(options.Device, options.Threads, log);
        using var model = new Sequential(spec, backend, maxRows);
        var optimizer = OptimizerFactory.Create(options.Optimizer, model.ParameterCount);
        model.Initialize(options.Seed);
        if ((options.InitFrom ?? options.Resume) is { } checkpoint)
        {
            bool restored = ModelCheckpoint.Load(checkpoint, model, optimizer);
            if (options.Resume is not null && !restored)
                throw new InvalidInputException($"--resume {checkpoint}: the checkpoint holds no {optimizer.Name} optimizer state to continue from; use --init-from to start from its weights");
            log.Information("Initialised from {Checkpoint} (optimizer state {Restored}, step {Step})", checkpoint, restored, optimizer.StepCount);
        }

        using var runner = new BatchRunner(model, loss);
        var plan = new TrainingPlan(batchSize, options.Epochs, options.Steps, options.Shuffle, options.Seed);
        output.WriteLine($"training {model.Describe()} ({model.ParameterCount} parameters) " +
                         $"on {train.Name} ({train.Count} samples{(test is null ? "" : $", test {test.Count}")}) with {optimizer.Name}, " +
                         $"batch {batchSize}, backend {backend.Name}" +
                         (options.Distributed ? $", {DescribeCluster(options)}" : ""));
        var printer = new ProgressPrinter(output, live: !Console.IsOutputRedirected && output == Console.Out);
        TrainingResult result;
        DistributedRunReport? report = null;
        using (var stop = new StopSignal(log))
        {
            if (options.Distributed)
            {
                report = ClusterTraining.Run(options, runner, optimizer, train, test, loss, batchSize, printer, log, stop.Token);
                result = report.Result;
                output.WriteLine($"cluster: {report.AppliedSteps.Count} steps applied, {report.ShardsReassigned} shards reassigned, " +
                                 $"{report.StepRestarts} steps planned again, {report.Dropped.Duplicates} duplicate and {report.Dropped.Late} late " +
                                 $"results dropped, {report.Dropped.Rejected} rejected; workers lost: {report.WorkersLost.Count}; " +
                                 StepTimeSplit(report));
            }
            else
                result = new LocalTrainer(runner, optimizer, train, test, plan, log).Run(printer, stop.Token);
        }

        if (options.Save is not null && !options.Distributed)
            ModelCheckpoint.Save(options.Save, model, optimizer);
        if (options.Save is not null)
        {
            output.WriteLine(result.Failure is null
                ? $"saved {options.Save} (step {optimizer.StepCount})"
                : $"saved the last good weights to {options.Save} (step {optimizer.StepCount})");
        }
        if (options.Summary is not null)
            RunSummary.Write(options.Summary, options, optimizer.ResolvedSettings, backend.Name, train.Name, model.ParameterCount, result, report);
        if (result.Failure is not null)
        {
            Console.Error.WriteLine($"error: training stopped: {result.Failure}");
            return Diverged;
        }
        if (result.Interrupted)
        {
            Console.Error.WriteLine($"interrupted after step {result.Steps}{(options.Save is null ? "" : $"; the weights of that step are in {options.Save}")}");
            return Interrupted;
        }
        output.WriteLine($"done: {result.Steps} steps in {result.Seconds:F1} s, {result.SamplesPerSecond:F0} samples/s");
        return 0;
    }

    private static string DescribeCluster(TrainOptions options) =>
        (options.Cluster.SeedNodes is null ? $"{options.Workers} in-process workers on loopback" : $"cluster {string.Join(',', options.Cluster.SeedNodes)}") +
        $", batch norm {(options.Cluster.SynchronisedBatchNorm ? "sync" : "local")}, shards by {options.Cluster.Sizing.ToString().ToLowerInvariant()}";

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

    private static string StepTimeSplit(DistributedRunReport report)
    {
        double steps = Math.Max(1, report.AppliedSteps.Count);
        string Ms(double seconds) => (1000 * seconds / steps).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        var times = report.Times;
        return $"step time {Ms(times.StepSeconds)} ms: compute {Ms(times.ComputeSeconds)}, communication {Ms(times.CommunicationSeconds)}, " +
               $"parameter server {Ms(times.ApplySeconds)}, control {Ms(times.ControlSeconds)}";
    }
}
