using System.Text.Json;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Coordinator.Cli;

/// <summary>The JSON a run leaves behind (--summary): its configuration, per-epoch figures, throughput and wall time.</summary>
public static class RunSummary
{
    // A diverged run's last test loss can be infinite: write it as "Infinity" rather than fail to write the summary.
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(string path, TrainOptions options, OptimizerSettings optimizer, string backend, string dataset, int parameters,
        TrainingResult result, DistributedRunReport? cluster)
    {
        var summary = new
        {
            config = new
            {
                dataset,
                layers = options.Layers,
                init = options.Init.ToString(),
                loss = options.Loss,
                optimizer,
                batch_size = options.BatchSize?.ToString() ?? "full",
                epochs = options.Steps is null ? options.Epochs : (int?)null,
                steps = options.Steps,
                shuffle = options.Shuffle,
                seed = options.Seed,
                device = backend,
                threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads,
                workers = options.Workers,
                batchnorm_mode = options.Cluster.SynchronisedBatchNorm ? "sync" : "local",
                shard_sizing = options.Cluster.Sizing.ToString().ToLowerInvariant(),
                wire_dtype = WireDtypes.Name(options.Cluster.WireDtype),
                init_from = options.InitFrom,
                parameters,
            },
            epochs = result.Epochs.Select(e => new
            {
                epoch = e.Epoch,
                step = e.Step,
                train_loss = e.TrainLoss,
                train_accuracy = e.TrainAccuracy,
                test_loss = e.TestLoss,
                test_accuracy = e.TestAccuracy,
                samples_per_second = e.SamplesPerSecond,
                seconds = e.Seconds,
            }),
            steps = result.Steps,
            samples_per_second = result.SamplesPerSecond,
            wall_seconds = result.Seconds,
            failure = result.Failure,
            cluster = cluster is null ? null : new
            {
                applied_steps = cluster.AppliedSteps.Count,
                distinct_applied_steps = cluster.AppliedSteps.Distinct(),
                first_applied_step = cluster.AppliedSteps.Min + 1,
                last_applied_step = cluster.AppliedSteps.Max + 1,
                shards_reassigned = cluster.ShardsReassigned,
                steps_planned_again = cluster.StepRestarts,
                dropped_duplicates = cluster.Dropped.Duplicates,
                dropped_late = cluster.Dropped.Late,
                rejected = cluster.Dropped.Rejected,
                dropped_unassigned = cluster.Dropped.Unassigned,
                workers_lost = cluster.WorkersLost,
                workers_quarantined = cluster.WorkersQuarantined,
                shards_per_worker = cluster.ShardsPerWorker,
                step_seconds = cluster.Times.StepSeconds,
                compute_seconds = cluster.Times.ComputeSeconds,
                communication_seconds = cluster.Times.CommunicationSeconds,
                parameter_server_seconds = cluster.Times.ApplySeconds,
                control_seconds = cluster.Times.ControlSeconds,
                data_plane_bytes_per_step = cluster.NodeBytesPerStep?.Select(node => new
                {
                    node = node.Node,
                    coordinator = node.Master,
                    sent = node.BytesSent,
                    received = node.BytesReceived,
                }),
            },
        };
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(summary, Options));
    }
}
