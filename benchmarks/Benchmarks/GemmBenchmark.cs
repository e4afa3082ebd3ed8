using System.Diagnostics;
using System.Globalization;
using DistTrainer.Shared.Compute;
using DistTrainer.Shared.Compute.Cpu;

namespace DistTrainer.Benchmarks;

/// <summary>
/// GFLOP/s of <see cref="CpuBackend.Gemm"/> on the shapes an MLP step uses (batch 128, layers
/// 784-256-256-10) and on 1024^3, against the FMA peak measured at the same thread count. Each
/// figure is the median of timed repetitions after a warm-up.
/// </summary>
public static class GemmBenchmark
{
    private static readonly Case[] Cases =
    [
        new("forward 784->256: Y = X W^T", false, true, 128, 256, 784),
        new("weight grad 784->256: dW = dY^T X", true, false, 256, 784, 128),
        new("input grad 256->784: dX = dY W", false, false, 128, 784, 256),
        new("forward 256->256: Y = X W^T", false, true, 128, 256, 256),
        new("weight grad 256->256: dW = dY^T X", true, false, 256, 256, 128),
        new("input grad 256->256: dX = dY W", false, false, 128, 256, 256),
        new("square", false, false, 1024, 1024, 1024),
        new("square", false, true, 1024, 1024, 1024),
        new("square", true, false, 1024, 1024, 1024),
    ];

    public static int Run(BenchmarkArguments args)
    {
        int[] threads = args.Threads;
        int repeats = args.Int("--repeats", 7);
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "gemm.md"));
        string loadBefore = MachineInfo.LoadAverage();

        var rows = new List<string>();
        foreach (int t in threads)
        {
            double peak = FmaPeak.Measurable ? Median(repeats, () => FmaPeak.Measure(t)) : double.NaN;
            rows.Add(Row("FMA peak (16 Vector512 chains per thread)", "", 0, 0, 0, t, peak, peak));
            using var backend = new CpuBackend(t);
            foreach (var gemm in Cases)
                rows.Add(Row(gemm.Name, gemm.Op, gemm.M, gemm.N, gemm.K, t, Measure(backend, gemm, repeats), peak));
        }

        var report = new BenchmarkReport("GEMM throughput of the CPU backend", "gemm", args)
        {
            MachineDetails = $"; threads: {string.Join(", ", threads)}; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                "C = op(A) op(B), row-major, m x n x k; op N or T per operand. GFLOP/s = 2mnk / time, the median of",
                $"{repeats} timed repetitions (each about 50 ms) after a warm-up of at least 0.5 s. The peak is measured the same",
                "way at each thread count; % of peak compares the two at the same thread count.",
            ],
        };
        report.Write(output, ["GEMM", "op", "m", "n", "k", "threads", "GFLOP/s", "% of peak"], rows);
        return 0;
    }

    private static string Row(string name, string op, int m, int n, int k, int threads, double gflops, double peak)
    {
        string Shape(int v) => v == 0 ? "" : v.ToString(CultureInfo.InvariantCulture);
        string line = $"| {name} | {op} | {Shape(m)} | {Shape(n)} | {Shape(k)} | {threads} | " +
            $"{gflops.ToString("F1", CultureInfo.InvariantCulture)} | {(100 * gflops / peak).ToString("F0", CultureInfo.InvariantCulture)}% |";
        Console.WriteLine(line);
        return line;
    }

    private static double Measure(CpuBackend backend, Case gemm, int repeats)
    {
        var random = new Random(1);
        using var a = Random(backend, gemm.M * gemm.K, random);
        using var b = Random(backend, gemm.K * gemm.N, random);
        using var c = backend.Allocate(gemm.M * gemm.N);
        void Call() => backend.Gemm(gemm.TransposeA, gemm.TransposeB, gemm.M, gemm.N, gemm.K, 1, a.All, b.All, 0, c.All);

        double flops = 2.0 * gemm.M * gemm.N * gemm.K;
        // The warm-up also lets tiered compilation replace the kernels' first, unoptimised code.
        int calls = 0;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 500 || calls < 100)
        {
            Call();
            calls++;
        }
        calls = Math.Max(1, (int)(calls * 50e-3 / clock.Elapsed.TotalSeconds));
        return Median(repeats, () =>
        {
            var timer = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) Call();
            return calls * flops / timer.Elapsed.TotalSeconds / 1e9;
        });
    }

    private static DeviceArray Random(CpuBackend backend, int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextSingle() - 0.5f;
        var array = backend.Allocate(length);
        backend.Upload(values, array.All);
        return array;
    }

    private static double Median(int repeats, Func<double> measure)
    {
        var values = Enumerable.Range(0, repeats).Select(_ => measure()).Order().ToArray();
        return values[values.Length / 2];
    }

    private sealed record Case(string Name, bool TransposeA, bool TransposeB, int M, int N, int K)
    {
        public string Op => $"{(TransposeA ? 'T' : 'N')}{(TransposeB ? 'T' : 'N')}";
    }
}
