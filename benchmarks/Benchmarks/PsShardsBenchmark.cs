using System.Globalization;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Benchmarks;

/// <summary>
/// What cutting the parameter server into key ranges (--ps-shards) saves on this machine: the parameter server's
/// time per step with 1 range (the baseline) and with more, both in the same run. Measured twice: on the embedded
/// cluster (the default MLP, Adam, 2 workers, the cluster benchmark's "parameter server ms": sum, optimizer step,
/// batch-norm fold, publishing the weights), the configurations taking turns for several rounds, each keeping its
/// best; and on <see cref="StepApplier.TryApply"/> alone (sum of 2 shard gradients, guarded step, fold), the median
/// of many applies, which no worker's compute disturbs.
/// </summary>
public static class PsShardsBenchmark
{
    private const string Optimizer = "adam";
    private const int Workers = 2;

    public static int Run(BenchmarkArguments args)
    {
        var (batchPerWorker, steps, warmUpSteps, rounds) = TrainingRounds.Read(args, 3);
        int applies = args.Int("--applies", 500);
        int[] counts = [.. args.String("--ps-shards", "1,2").Split(',').Select(k => int.Parse(k, CultureInfo.InvariantCulture))];
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "ps-shards.md"));
        string loadBefore = MachineInfo.LoadAverage();
        var train = DatasetLoader.LoadTraining(DatasetLoader.FashionMnist, null, trainSamples: null);
        var runs = new ReferenceRuns(TrainOptions.DefaultLayers, Optimizer, train, batchPerWorker);

        foreach (int k in counts) runs.Cluster(Workers, warmUpSteps, new SilentObserver(), k);
        var best = counts.ToDictionary(k => k, _ => double.MaxValue);
        for (int round = 0; round < rounds; round++)
        {
            foreach (int k in counts)
            {
                var times = runs.Cluster(Workers, steps, new SilentObserver(), k).Times;
                double ms = 1000 * times.ApplySeconds / steps;
                Console.WriteLine($"round {round + 1}, --ps-shards {k}: parameter server {ms:F3} ms/step");
                best[k] = Math.Min(best[k], ms);
            }
        }

        var alone = counts.ToDictionary(k => k, k => ApplyMicroseconds(k, applies));
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        var rows = counts.Select(k =>
            $"| {k} | {F(best[k], "F3")} | {F(best[counts[0]] / best[k], "F2")}x | {F(alone[k], "F1")} | {F(alone[counts[0]] / alone[k], "F2")}x |").ToList();
        rows.ForEach(Console.WriteLine);
        var report = new BenchmarkReport("Parameter server in key ranges: apply time per step against one range", "ps-shards", args)
        {
            MachineDetails = $"; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes = Notes(runs.ParameterCount, batchPerWorker, warmUpSteps, rounds, steps, applies),
        };
        report.Write(output, ["--ps-shards", "cluster ms/step", "speed-up", "apply us", "speed-up (apply)"], rows);
        return 0;
    }

    private static string[] Notes(long parameters, int batchPerWorker, int warmUpSteps, int rounds, int steps, int applies) =>
    [
        $"Model: the default `train` MLP ({TrainOptions.DefaultLayers}, {parameters} parameters), {Optimizer}, Fashion-MNIST,",
        $"seed 1, CPU backend with 1 thread per node. Cluster: {Workers} in-process workers, batch {batchPerWorker} per worker, {warmUpSteps} warm-up",
        $"steps per configuration, then {rounds} rounds of {steps} measured steps each, taking turns; each row keeps its best round.",
        "cluster ms = the parameter server's time per step (sum, optimizer step, batch-norm fold, publishing the weights).",
        $"apply us = the median of {applies} calls of StepApplier.TryApply on 2 shard results of the same model (sum, guarded",
        "step, fold), no workers running. speed-up = the first row's time / this row's, measured in the same run.",
        "The ranges run on the caller's thread and K - 1 threads of their own: on a machine whose cores the workers also use,",
        "the ranges compete with them, so the cluster figure is the one that counts here.",
    ];

    private static double ApplyMicroseconds(int shards, int applies)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse(TrainOptions.DefaultLayers), backend, 1);
        model.Initialize(1);
        using var applier = new StepApplier(model, OptimizerFactory.Create(new OptimizerSettings(Optimizer), model.ParameterCount), null,
            shards, TimeSpan.FromSeconds(30), new PayloadPool());
        var aggregator = new StepAggregator(applier.Layout);
        aggregator.Begin(0, 0, [new Shard(0, 0, 64), new Shard(1, 64, 64)]);
        var random = new Random(1);
        for (int i = 0; i < 2; i++)
        {
            float[] payload = [.. Enumerable.Range(0, applier.Layout.Length).Select(_ => (random.NextSingle() - 0.5f) * 1e-3f)];
            aggregator.Offer(new ShardResult(0, 0, i, 64, 1, 0, payload), out _);
        }
        return Statistics.MedianMicroseconds(applies, () => applier.TryApply(aggregator, out _, out _));
    }
}
