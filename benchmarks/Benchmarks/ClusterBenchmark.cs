using System.Globalization;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Shared.Data;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Training throughput of the reference MLP (the default model of `train`, Adam) on Fashion-MNIST in
/// one process (`--workers 0`) and on the embedded cluster with 1, 2 and 4 in-process workers of one
/// thread each, at a fixed batch per worker; each cluster step split into compute, data-plane transfer
/// and waiting, and the data-plane bytes per step against the least a parameter server can move.
/// </summary>
public static class ClusterBenchmark
{
    private static readonly int[] WorkerCounts = [1, 2, 4];
    private static readonly TimeSpan TransferWindow = TimeSpan.FromSeconds(1);
    private const string Optimizer = "adam";

    public static int Run(BenchmarkArguments args)
    {
        int batchPerWorker = args.Int("--batch", 128);
        int steps = args.Int("--steps", 200);
        int warmUpSteps = args.Int("--warm-up", 30);
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "cluster.md"));
        string loadBefore = MachineInfo.LoadAverage();
        var (train, _) = DatasetLoader.Load(DatasetLoader.FashionMnist, null);
        var runs = new ReferenceRuns(TrainOptions.DefaultLayers, Optimizer, train, batchPerWorker);

        runs.Local(warmUpSteps);
        var local = runs.Local(steps);
        double localRate = local.SamplesPerSecond;
        var rows = new List<string> { Row(0, batchPerWorker, local.Steps, localRate, 1, 1000 * batchPerWorker / localRate, null) };

        long parameters = runs.ParameterCount;
        var transfer = TensorConnectionTransport.Measure((int)parameters, TransferWindow);
        foreach (int workers in WorkerCounts)
        {
            runs.Cluster(workers, warmUpSteps);
            var run = runs.Cluster(workers, steps);
            long applied = run.AppliedSteps.Count;
            double stepMs = 1000 * run.Times.StepSeconds / applied;
            double bytesPerStep = (double)(run.Traffic.BytesSent + run.Traffic.BytesReceived) / applied;
            var split = new StepSplit(
                ComputeMs: 1000 * run.Times.ComputeSeconds / applied,
                TransferMs: 1000 * bytesPerStep / (transfer.GigabytesPerSecond * 1e9),
                BytesPerStep: bytesPerStep,
                MinimumBytesPerStep: 2.0 * parameters * sizeof(float) * workers);
            double rate = run.Result.SamplesPerSecond;
            rows.Add(Row(workers, batchPerWorker * workers, applied, rate, rate / localRate, stepMs, split));
        }

        var report = new BenchmarkReport("Embedded cluster: samples/s, step time split and data-plane bytes against one process", "cluster", args)
        {
            MachineDetails = $"; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                $"Model: the default `train` MLP ({TrainOptions.DefaultLayers}, {parameters} parameters), {Optimizer}, cross-entropy,",
                $"Fashion-MNIST training set, seed 1, CPU backend with 1 thread per node. Batch {batchPerWorker} per worker, so the global batch is",
                $"{batchPerWorker} x workers (workers 0: {batchPerWorker} in one process, LocalTrainer, no cluster). Each configuration trains {warmUpSteps}",
                $"warm-up steps in a run of its own, then {steps} measured steps in a fresh run; all in this one process.",
                "samples/s = samples trained / the sum of step times (plan to applied weights; the cluster's start and shutdown are not counted).",
                "compute = the slowest shard's compute time per step (forward, backward, reading the result back), as the workers report it.",
                $"data plane = the step's data-plane bytes / the one-way throughput of a TensorConnection measured in this run for a {parameters}-float payload",
                $"({transfer.GigabytesPerSecond.ToString("F2", CultureInfo.InvariantCulture)} GB/s), as if they crossed one link one after another: an estimate. The data plane has no",
                "serialization step of its own (raw float32 bytes plus a checksum), so this is serialization and network together.",
                "waiting = step - compute - data plane: the control messages through Akka, the parameter server's sum and optimizer step,",
                "scheduling of the worker threads on the shared cores, and error in the estimate above.",
                "bytes/step = header and payload bytes the parameter server sent and received on all its data-plane connections over the run,",
                "divided by the steps applied (the weights sent at connection are in, the last step's weights may still be queued);",
                "minimum = 2 x parameters x 4 bytes per worker (weights out, gradients in). All nodes share this machine's cores, so more",
                "workers add no compute here: the ratio shows the protocol's cost, not a cluster's speed-up.",
            ],
        };
        report.Write(output, ["workers", "global batch", "steps", "samples/s", "vs workers 0", "step ms", "compute ms", "data plane ms (est.)",
            "waiting ms", "bytes/step", "minimum bytes/step", "vs minimum"], rows);
        return 0;
    }

    private static string Row(int workers, int globalBatch, long steps, double rate, double ratio, double stepMs, StepSplit? split)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        string tail = split is { } s
            ? $"{F(s.ComputeMs, "F2")} | {F(s.TransferMs, "F2")} | {F(stepMs - s.ComputeMs - s.TransferMs, "F2")} | {F(s.BytesPerStep, "N0")} | " +
              $"{F(s.MinimumBytesPerStep, "N0")} | {F(s.BytesPerStep / s.MinimumBytesPerStep, "F3")}x"
            : "— | — | — | — | — | —";
        string line = $"| {workers} | {globalBatch} | {steps} | {F(rate, "F0")} | {F(ratio, "F2")}x | {F(stepMs, "F2")} | {tail} |";
        Console.WriteLine(line);
        return line;
    }

    private readonly record struct StepSplit(double ComputeMs, double TransferMs, double BytesPerStep, double MinimumBytesPerStep);
}
