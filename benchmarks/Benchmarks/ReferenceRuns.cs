using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Shared.Compute.Cpu;
using DistTrainer.Shared.Data;
using DistTrainer.Shared.Nn;
using DistTrainer.Shared.Nn.Losses;
using DistTrainer.Shared.Optimizers;
using DistTrainer.Shared.Training;
using Serilog.Core;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Training runs of one model as `train` makes them: in one process, or on the embedded cluster. Every
/// run starts from the same freshly initialised weights (seed 1) and a fresh optimizer, on one thread.
/// </summary>
public sealed class ReferenceRuns(string layers, string optimizer, Dataset train, int batchPerWorker)
{
    private readonly ModelSpec spec = ModelSpec.Parse(layers);

    private const ulong Seed = 1;
    private const string Loss = "cross-entropy";

    public long ParameterCount => CountParameters(spec);

    public int BatchPerWorker => batchPerWorker;

    /// <summary>`train --workers 0`: the LocalTrainer on <paramref name="steps"/> batches.</summary>
    public TrainingResult Local(int steps, ITrainingObserver observer)
    {
        using var trainee = new Trainee(spec, optimizer, batchPerWorker);
        return new LocalTrainer(trainee.Runner, trainee.Optimizer, train, null, new TrainingPlan(batchPerWorker, 1, steps, true, Seed),
            Logger.None).Run(observer);
    }

    /// <summary>`train --workers N --threads 1`: the coordinator and N worker actor systems in this process.</summary>
    public DistributedRunReport Cluster(int workers, int steps, ITrainingObserver observer)
    {
        int batch = batchPerWorker * workers;
        using var trainee = new Trainee(spec, optimizer, batch);
        var options = new TrainOptions
        {
            Layers = layers,
            Loss = Loss,
            Optimizer = new OptimizerSettings(optimizer),
            BatchSize = batch,
            Steps = steps,
            Seed = Seed,
            Device = "cpu",
            Threads = 1,
            Workers = workers,
        };
        return ClusterTraining.Run(options, trainee.Runner, trainee.Optimizer, train, null, LossFunction.Parse(Loss), batch,
            observer, Logger.None, CancellationToken.None);
    }

    private static long CountParameters(ModelSpec spec)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(spec, backend, 1);
        return model.ParameterCount;
    }

    private sealed class Trainee : IDisposable
    {
        private readonly CpuBackend backend = new(1);
        private readonly Sequential model;

        public Trainee(ModelSpec spec, string optimizer, int rows)
        {
            model = new Sequential(spec, backend, rows);
            model.Initialize(Seed);
            Optimizer = OptimizerFactory.Create(new OptimizerSettings(optimizer), model.ParameterCount);
            Runner = new BatchRunner(model, LossFunction.Parse(Loss));
        }

        public IOptimizer Optimizer { get; }

        public BatchRunner Runner { get; }

        public void Dispose()
        {
            Runner.Dispose();
            model.Dispose();
            backend.Dispose();
        }
    }
}
