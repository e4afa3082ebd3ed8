using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.WireFormat;
using DistTrainer.Training;
using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>`train`: loads the data, builds the model and optimizer, trains through the library's <see cref="Trainer"/>, and writes what was asked.</summary>
public static class TrainCommand
{
    /// <summary>Exit code of a run that stopped because the loss or a gradient stopped being finite.</summary>
    public const int Diverged = 3;

    /// <summary>Exit code of a cluster run that could not train: no worker ready within the worker timeout, or a step's shards failed too often.</summary>
    public const int ClusterFailed = 4;

    /// <summary>Exit code of a run stopped because its periodic checkpoint could not be written, retries included.</summary>
    public const int CheckpointFailed = 5;

    /// <summary>
    /// What a coordinator's run returns when another coordinator trains the run (<see cref="FailureKind.Superseded"/>: this first
    /// coordinator stood down before its first step, or handed the run to a standby when a key range was lost): `coordinator`
    /// then stands by for that run, so it exits with this only as `train` with seed nodes, whose run a standby took over.
    /// </summary>
    public const int Superseded = 6;

    /// <summary>Exit code of a run stopped by SIGINT/SIGTERM (128 + SIGINT, as shells report Ctrl-C).</summary>
    public const int Interrupted = 130;

    /// <param name="ownsProcess">The caller is the program, whose process this is (<see cref="ProcessMemory"/>).</param>
    public static int Run(TrainOptions options, TextWriter output, ILogger log, bool ownsProcess = false) =>
        Run(options, output, log, out _, ownsProcess);

    /// <param name="supersededBy">With <see cref="Superseded"/>, the addresses of the coordinators the run was handed to, if any.</param>
    public static int Run(TrainOptions options, TextWriter output, ILogger log, out IReadOnlyList<string> supersededBy, bool ownsProcess = false)
    {
        supersededBy = [];
        var trainer = new Trainer(options, log);
        using var run = trainer.Prepare();
        if (ownsProcess) run.BeforeNodesStop = () => ProcessMemory.ReleaseTrainingGarbage(log);
        var (model, optimizer, train, test) = (run.Model, run.Optimizer, run.Train, run.Test);
        output.WriteLine($"training {model.Describe()} ({model.ParameterCount} parameters) " +
                         $"on {train.Name} ({train.Count} samples{(test is null ? "" : $", test {test.Count}")}) with {optimizer.Name}, " +
                         $"batch {run.BatchSize}, backend {run.Backend.Name}" +
                         (options.Distributed ? $", {DescribeCluster(options)}" : ""));
        var recorder = new TrainingRecorder(new ProgressPrinter(output, live: !Console.IsOutputRedirected && output == Console.Out));
        RunOutcome outcome;
        using (var stop = new StopSignal(log, "Received {Signal}: stopping after the current step"))
            outcome = trainer.Fit(run, recorder, stop.Token);
        if (ownsProcess) ProcessMemory.ReleaseTrainingGarbage(log);
        var (result, report) = (outcome.Result, outcome.Cluster);
        if (result.FailureKind == FailureKind.Superseded)
        {
            // No final checkpoint or summary: the run, its checkpoint and its summary are the other coordinator's.
            output.WriteLine($"coordinator: {result.Failure}; standing by for it");
            supersededBy = report?.SupersededBy ?? [];
            return Superseded;
        }
        if (report is not null)
        {
            output.WriteLine($"cluster: {report.AppliedSteps.Count} steps applied, {report.ShardsReassigned} shards reassigned, " +
                             $"{report.StepRestarts} steps planned again, {report.Dropped.Duplicates} duplicate and {report.Dropped.Late} late " +
                             $"results dropped, {report.Dropped.Rejected} rejected, {report.Dropped.Unassigned} from unassigned workers; " +
                             $"workers lost: {report.WorkersLost.Count}, quarantined: {report.WorkersQuarantined.Count}; " +
                             StepTimeSplit(report));
        }

        if (outcome.SavedFinalCheckpoint)
        {
            output.WriteLine(result.Failure is null
                ? $"saved {options.Save} (step {optimizer.StepCount})"
                : $"saved the last good weights to {options.Save} (step {optimizer.StepCount})");
        }
        if (options.Summary is not null)
        {
            RunSummary.Write(options.Summary, options, optimizer.ResolvedSettings, run.Backend.Name, train.Name, model.ParameterCount, result, report);
            var curves = TrainingCurves.Save(Path.ChangeExtension(options.Summary, null), $"{model.ParameterCount:N0}-parameter model on {train.Name}", recorder);
            output.WriteLine($"summary: {options.Summary}; curves: {string.Join(", ", curves)}");
        }
        if (options.TensorBoard is not null)
            output.WriteLine($"tensorboard: events in {options.TensorBoard} (tensorboard --logdir {options.TensorBoard})");
        if (result.Failure is not null)
        {
            Console.Error.WriteLine($"error: training stopped: {result.Failure}");
            return result.FailureKind switch
            {
                FailureKind.Cluster or FailureKind.RangeLost or FailureKind.ParameterServer => ClusterFailed,
                FailureKind.Checkpoint => CheckpointFailed,
                _ => Diverged,
            };
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
        $", batch norm {(options.Cluster.SynchronisedBatchNorm ? "sync" : "local")}, shards by {options.Cluster.Sizing.ToString().ToLowerInvariant()}" +
        (options.Cluster.WireDtype == WireDtype.Fp32 ? "" : $", gradients as {WireDtypes.Name(options.Cluster.WireDtype)} on the wire");

    private static string StepTimeSplit(DistributedRunReport report)
    {
        double steps = Math.Max(1, report.AppliedSteps.Count);
        string Ms(double seconds) => (1000 * seconds / steps).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        var times = report.Times;
        return $"step time {Ms(times.StepSeconds)} ms: compute {Ms(times.ComputeSeconds)}, communication {Ms(times.CommunicationSeconds)}, " +
               $"parameter server {Ms(times.ApplySeconds)}, control {Ms(times.ControlSeconds)}";
    }
}
