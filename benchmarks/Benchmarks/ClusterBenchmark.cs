using System.Globalization;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Training throughput of the reference MLP (the default model of `train`, Adam) on Fashion-MNIST in
/// one process (`--workers 0`) and on the embedded cluster with 1, 2 and 4 in-process workers of one
/// thread each, at a fixed batch per worker; each cluster step split into compute, data-plane transfer
/// and waiting, and the data-plane bytes per step against the least a parameter server can move.
/// The configurations take turns for several rounds and each keeps its best round, so that a burst of
/// load on the shared machine costs one round of one configuration, not the comparison. Beside each worker count,
/// PyTorch DDP (gloo, tools/torch_ddp_benchmark.py) with as many processes at the same batch per process, measured in
/// the same run. Each worker count runs twice: with the data plane in memory, as the embedded cluster runs by default,
/// and through loopback TCP, as separate processes do.
/// </summary>
public static class ClusterBenchmark
{
    private static readonly int[] WorkerCounts = [0, 1, 2, 4];

    private static readonly Setting[] Settings =
        [new(0, InMemory: false), .. WorkerCounts[1..].Select(w => new Setting(w, InMemory: true)), .. WorkerCounts[1..].Select(w => new Setting(w, InMemory: false))];
    private static readonly TimeSpan TransferWindow = TimeSpan.FromSeconds(1);
    private const string Optimizer = "adam";

    public static int Run(BenchmarkArguments args)
    {
        var (batchPerWorker, steps, warmUpSteps, rounds) = TrainingRounds.Read(args, 2);
        int shardsPerWorker = args.Int("--shards-per-worker", 1);
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "cluster.md"));
        bool torch = !args.Flag("--no-torch");
        string loadBefore = MachineInfo.LoadAverage();
        var train = DatasetLoader.LoadTraining(DatasetLoader.FashionMnist, null, trainSamples: null);
        var runs = new ReferenceRuns(TrainOptions.DefaultLayers, Optimizer, train, batchPerWorker, shardsPerWorker);
        long parameters = runs.ParameterCount;

        foreach (var setting in Settings) Train(runs, setting, warmUpSteps, new SilentObserver());
        var best = new Dictionary<Setting, (Measured Run, GcObserver Gc)>();
        var ddp = new Dictionary<string, double>();
        double gigabytesPerSecond = 0;
        for (int round = 0; round < rounds; round++)
        {
            gigabytesPerSecond = Math.Max(gigabytesPerSecond, TensorConnectionTransport.Measure((int)parameters, TransferWindow).GigabytesPerSecond);
            foreach (var setting in Settings)
            {
                var gc = new GcObserver();
                var measured = Train(runs, setting, steps, gc);
                Console.WriteLine($"round {round + 1}, workers {setting.Workers} ({setting.DataPlane}): {measured.SamplesPerSecond:F0} samples/s");
                if (!best.TryGetValue(setting, out var previous) || measured.SamplesPerSecond > previous.Run.SamplesPerSecond)
                    best[setting] = (measured, gc);
            }
            // DDP takes its turn in every round, right after ours: a baseline measured minutes apart from the runs it is
            // compared with moved by half between two runs of this benchmark on the same machine.
            if (!torch) continue;
            foreach (var (name, rate) in PythonBaseline.SamplesPerSecond("torch_ddp_benchmark.py", 1,
                         ["--processes", .. WorkerCounts.Where(w => w > 0).Select(w => $"{w}"), "--batch", $"{batchPerWorker}", "--steps", $"{steps}",
                          "--warmup", $"{warmUpSteps}", "--repeats", "1"]))
            {
                Console.WriteLine($"round {round + 1}, PyTorch {name}: {rate:F0} samples/s");
                ddp[name] = Math.Max(rate, ddp.GetValueOrDefault(name));
            }
        }

        double localRate = best[Settings[0]].Run.SamplesPerSecond;
        var rows = Settings.Select(s => Row(s, batchPerWorker, best[s].Run, best[s].Gc, localRate, parameters,
            ddp.TryGetValue($"ddp-{s.Workers}", out var rate) ? rate : null)).ToList();
        var report = new BenchmarkReport("Embedded cluster: samples/s, step time split and data-plane bytes against one process", "cluster", args)
        {
            MachineDetails = $"; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                $"Model: the default `train` MLP ({TrainOptions.DefaultLayers}, {parameters} parameters), {Optimizer}, cross-entropy,",
                $"Fashion-MNIST training set, seed 1, CPU backend with 1 thread per node, `train`'s cluster defaults (local batch norm, shards shared by",
                $"measured throughput; {shardsPerWorker} logical shard(s) per worker, --shards-per-worker). Batch {batchPerWorker} per worker, so the global batch is",
                $"{batchPerWorker} x workers (workers 0: {batchPerWorker} in one process, LocalTrainer, no cluster). First every configuration trains {warmUpSteps}",
                $"warm-up steps; then, for {rounds} rounds, each trains {steps} measured steps in a fresh run, in turn; each row is the configuration's best",
                "round by samples/s. Everything runs in this one process.",
                "data plane: in memory = the embedded cluster's default (disttrainer.data-plane.in-process: a worker and the parameter server",
                "in one process hand each frame over on the sender's thread, the weights and each result lent rather than copied); loopback TCP =",
                "`--data-plane tcp`, the path separate",
                "processes take (framed TCP, checksums, reader and writer threads).",
                "samples/s = samples trained / the sum of step times (plan to applied weights; the cluster's start and shutdown are not counted).",
                "The split is measured in every step. compute = the slowest shard's compute time (forward, backward, reading the result",
                "back), as its worker reports it. communication = the parameter server's exchange time (from the weights going out, or the",
                "step's plan beginning, to the last shard result in) minus compute: both transfers of the slowest shard (over TCP with their",
                "checksums) and the hand-offs between threads on both sides. The data plane has no serialization step of its own (raw float32 bytes),",
                "so this is serialization and network together. parameter server = sum, optimizer step, batch-norm fold and publishing the",
                "weights. control = step - exchange - parameter server: the coordinator's planning and messages through Akka.",
                "comm share = communication / step. For scale: a TensorConnection moved a payload of the model's size one way at",
                $"{gigabytesPerSecond.ToString("F2", CultureInfo.InvariantCulture)} GB/s in this run (best of the rounds).",
                "bytes/step = header and payload bytes the parameter server sent and received on all its data-plane connections over the run,",
                "divided by the steps applied (the weights sent at connection are in, the last step's weights may still be queued);",
                "minimum = 2 x parameters x 4 bytes per worker (weights out, gradients in). All nodes share this machine's cores, so more",
                "workers add no compute here: the ratio shows the protocol's cost, not a cluster's speed-up.",
                "GC pause = the garbage collector's pause time in this process (all nodes) from the first step's report to the last, per step;",
                "a pause stops every thread, so it lies inside the other columns. gen2 GCs/step = full collections per step, same span.",
                "PyTorch DDP = tools/torch_ddp_benchmark.py: the same model and optimizer with DistributedDataParallel over gloo, one process",
                "per worker at 1 torch thread and 1 OpenBLAS thread, the same batch per process, random data in memory, run in every round",
                "right after this benchmark's own runs (warm-up steps as above), best of the rounds,",
                "samples/s over all processes (n/a: not run, --no-torch or no torch). vs DDP = DistTrainer's samples/s / DDP's.",
            ],
        };
        report.Write(output, ["workers", "data plane", "global batch", "steps", "samples/s", "vs workers 0", "step ms", "compute ms", "communication ms",
            "parameter server ms", "control ms", "comm share", "bytes/step", "minimum bytes/step", "vs minimum", "GC pause ms/step", "gen2 GCs/step",
            "PyTorch DDP samples/s", "vs DDP"], rows);
        return 0;
    }

    private static Measured Train(ReferenceRuns runs, Setting setting, int steps, ITrainingObserver observer)
    {
        if (setting.Workers == 0)
        {
            var local = runs.Local(steps, observer);
            return new Measured(local.Steps, local.SamplesPerSecond, local.Steps * runs.BatchPerWorker / local.SamplesPerSecond, null, null);
        }
        var run = runs.Cluster(setting.Workers, steps, observer, inMemory: setting.InMemory);
        return new Measured(run.AppliedSteps.Count, run.Result.SamplesPerSecond, run.Times.StepSeconds, run.Times, run.Traffic);
    }

    private static string Row(Setting setting, int batchPerWorker, Measured run, GcObserver gc, double localRate, long parameters, double? ddp)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        int workers = setting.Workers;
        double stepMs = 1000 * run.StepSeconds / run.Steps;
        string split = "— | — | — | — | — | — | — | —";
        if (run is { Times: { } times, Traffic: { } traffic })
        {
            string Ms(double seconds) => F(1000 * seconds / run.Steps, "F2");
            double bytes = (double)(traffic.BytesSent + traffic.BytesReceived) / run.Steps;
            double minimum = 2.0 * parameters * sizeof(float) * workers;
            split = $"{Ms(times.ComputeSeconds)} | {Ms(times.CommunicationSeconds)} | {Ms(times.ApplySeconds)} | {Ms(times.ControlSeconds)} | " +
                $"{F(100 * times.CommunicationSeconds / times.StepSeconds, "F0")} % | {F(bytes, "N0")} | {F(minimum, "N0")} | {F(bytes / minimum, "F3")}x";
        }
        string line = $"| {workers} | {(workers == 0 ? "—" : setting.DataPlane)} | {batchPerWorker * Math.Max(1, workers)} | {run.Steps} | {F(run.SamplesPerSecond, "F0")} | " +
            $"{F(run.SamplesPerSecond / localRate, "F2")}x | {F(stepMs, "F2")} | {split} | {F(gc.PauseMillisecondsPerStep, "F2")} | " +
            $"{F(gc.FullCollectionsPerStep, "F3")} | {(ddp is { } d ? F(d, "F0") : "n/a")} | {(ddp is { } r ? F(run.SamplesPerSecond / r, "F2") + "x" : "n/a")} |";
        Console.WriteLine(line);
        return line;
    }

    /// <summary>A row of the table: how many workers, and whether their data plane runs in memory or over loopback TCP.</summary>
    private sealed record Setting(int Workers, bool InMemory)
    {
        public string DataPlane => InMemory ? "in memory" : "loopback TCP";
    }

    /// <summary>One run's figures; compute and traffic only for the cluster.</summary>
    private sealed record Measured(long Steps, double SamplesPerSecond, double StepSeconds, StepTimes? Times, DataPlaneTraffic? Traffic);
}
