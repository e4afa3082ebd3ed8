using System.Text.Json;
using DistTrainer.Shared.Optimizers;
using DistTrainer.Shared.Training;

namespace DistTrainer.Coordinator.Cli;

/// <summary>The JSON a run leaves behind (--summary): its configuration, per-epoch figures, throughput and wall time.</summary>
public static class RunSummary
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static void Write(string path, TrainOptions options, OptimizerSettings optimizer, string backend, string dataset, int parameters, TrainingResult result)
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
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, JsonSerializer.Serialize(summary, Options));
    }
}
