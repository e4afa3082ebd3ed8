using System.Globalization;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using Serilog.Core;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Training throughput (samples/s) of the reference MLPs at batch 128 on the CPU backend, against
/// PyTorch CPU (tools/torch_mlp_benchmark.py: torch at 1 thread, OpenBLAS at the thread count under
/// test) measured in the same run, interleaved, best of several repeats on each side.
/// </summary>
public static class MlpBenchmark
{
    private const string Hidden = "linear:784:256,batchnorm:256,relu,dropout:0.2,linear:256:256,batchnorm:256,relu,dropout:0.2,linear:256:10";

    private static readonly (string Name, string Layers, string Optimizer)[] Models =
    [
        ("bn-dropout-adam", Hidden, "adam"),
        ("plain-momentum", "linear:784:256,relu,linear:256:256,relu,linear:256:10", "momentum"),
    ];

    public static int Run(BenchmarkArguments args)
    {
        int[] threads = args.Threads;
        int batch = args.Int("--batch", 128);
        int steps = args.Int("--steps", 400);
        int repeats = args.Int("--repeats", 3);
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "mlp.md"));
        bool torch = !args.Flag("--no-torch");

        var data = SyntheticData(4096);
        var rows = new List<string>();
        foreach (int t in threads)
        {
            var baseline = torch
                ? PythonBaseline.SamplesPerSecond("torch_mlp_benchmark.py", t, "--batch", $"{batch}", "--steps", $"{steps}", "--repeats", $"{repeats}")
                : new Dictionary<string, double>();
            foreach (var (name, layers, optimizer) in Models)
            {
                double ours = Enumerable.Range(0, repeats).Max(_ => OurSamplesPerSecond(layers, optimizer, data, t, batch, steps));
                double? theirs = baseline.TryGetValue(name, out var v) ? v : null;
                string ratio = theirs is { } b ? $"{ours / b:F2}x" : "n/a";
                string line = $"| {name} | {t} | {batch} | {ours:F0} | {(theirs is { } x ? x.ToString("F0", CultureInfo.InvariantCulture) : "n/a")} | {ratio} |";
                Console.WriteLine(line);
                rows.Add(line);
            }
        }

        var report = new BenchmarkReport("MLP training throughput: DistTrainer CPU backend vs PyTorch CPU", "mlp", args)
        {
            Notes =
            [
                "Each figure is the best of the repeats; both sides train on data already in memory (random pixels in [0,1], 10 classes),",
                "cross-entropy loss, Adam lr 1e-3 or SGD momentum 0.9 lr 0.01. PyTorch runs with 1 torch thread and",
                "OPENBLAS_NUM_THREADS = the thread count (torch at 2 threads with OpenBLAS at 2 oversubscribes 2 cores).",
                "DistTrainer's figure is the whole step of `train`: gather the batch, upload, forward, loss, backward,",
                "download gradients, NaN/Inf check, optimizer, upload weights.",
            ],
        };
        report.Write(output, ["model", "threads", "batch", "DistTrainer samples/s", "PyTorch samples/s", "ratio"], rows);
        return 0;
    }

    private static Dataset SyntheticData(int count)
    {
        var random = new Random(1);
        var features = new float[count * 784];
        for (int i = 0; i < features.Length; i++) features[i] = random.Next(256) / 255f;
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = random.Next(10);
        return new Dataset("synthetic", 784, features, labels, 10);
    }

    private static double OurSamplesPerSecond(string layers, string optimizerName, Dataset data, int threads, int batch, int steps)
    {
        using var backend = new CpuBackend(threads);
        using var model = new Sequential(ModelSpec.Parse(layers), backend, batch);
        model.Initialize(1);
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(optimizerName), model.ParameterCount);
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var silent = new SilentObserver();
        new LocalTrainer(runner, optimizer, data, null, new TrainingPlan(batch, 1, 50, true, 1), Logger.None).Run(silent);
        var result = new LocalTrainer(runner, optimizer, data, null, new TrainingPlan(batch, 1, steps, true, 1), Logger.None).Run(silent);
        return result.SamplesPerSecond;
    }
}
