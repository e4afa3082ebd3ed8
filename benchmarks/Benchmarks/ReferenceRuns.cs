using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using Serilog.Core;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Training runs of one model as `train` makes them: in one process, or on the embedded cluster. Every
/// run starts from the same freshly initialised weights (seed 1) and a fresh optimizer, on one thread. A cluster
/// run cuts each batch into <paramref name="shardsPerWorker"/> logical shards per worker.
/// </summary>
public sealed class ReferenceRuns(string layers, string optimizer, Dataset train, int batchPerWorker, int shardsPerWorker = 1)
{
    public long ParameterCount => ParameterCountOf(layers);

    public int BatchPerWorker => batchPerWorker;

    /// <summary>`train --workers 0`: the LocalTrainer on <paramref name="steps"/> batches.</summary>
    public TrainingResult Local(int steps, ITrainingObserver observer) => Run(0, steps, observer).Result;

    /// <summary>
    /// `train --workers N --threads 1 --ps-shards K --ps-placement P`: the coordinator and N worker actor systems in this process;
    /// <paramref name="nodes"/> overrides every node's settings (the scale benchmark's link cap and simulated compute);
    /// <paramref name="inMemory"/> false is `--data-plane tcp`.
    /// </summary>
    public DistributedRunReport Cluster(int workers, int steps, ITrainingObserver observer, int psShards = 1, Akka.Configuration.Config? nodes = null,
        bool inMemory = true, KeyRangePlacement placement = KeyRangePlacement.Coordinator) =>
        Run(workers, steps, observer, psShards, nodes, inMemory, placement).Cluster!;

    private RunOutcome Run(int workers, int steps, ITrainingObserver observer, int psShards = 1, Akka.Configuration.Config? nodes = null,
        bool inMemory = true, KeyRangePlacement placement = KeyRangePlacement.Coordinator)
    {
        var options = new TrainOptions
        {
            Layers = layers,
            Loss = "cross-entropy",
            Optimizer = new OptimizerSettings(optimizer),
            BatchSize = batchPerWorker * Math.Max(1, workers),
            Steps = steps,
            Seed = 1,
            Device = "cpu",
            Threads = 1,
            Workers = workers,
            Cluster = new ClusterOptions
            {
                Shards = shardsPerWorker * Math.Max(1, workers),
                PsShards = psShards,
                PsPlacement = placement,
                DataPlaneInMemory = inMemory,
            },
        };
        using var run = TrainingRun.Prepare(options, Logger.None, (train, null));
        return run.Execute(observer, Logger.None, CancellationToken.None, akka: nodes);
    }

    /// <summary>The parameters of the model <paramref name="layers"/> describes: the floats of its weights frame.</summary>
    public static long ParameterCountOf(string layers)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse(layers), backend, 1);
        return model.ParameterCount;
    }
}
