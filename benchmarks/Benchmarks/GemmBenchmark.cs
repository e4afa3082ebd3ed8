using System.Diagnostics;
using System.Globalization;
using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;

namespace DistTrainer.Benchmarks;

/// <summary>
/// GFLOP/s of <see cref="CpuBackend.Gemm"/> on the shapes an MLP step uses (batch 128, layers
/// 784-256-256-10) and on 1024^3, against the FMA peak at the same thread count. Each figure is
/// the median of timed repetitions after a warm-up. On a shared virtual machine the peak itself
/// moves from second to second (a sibling hyperthread or a neighbour takes the core), so every
/// repetition is bracketed by two short peak measurements and compared with their mean.
/// </summary>
public static class GemmBenchmark
{
    /// <summary>About 0.3 s and 20 ms of FMA chains at ~200 GFLOP/s per thread.</summary>
    private const long LongPeakIterations = 120_000_000, ShortPeakIterations = 8_000_000;

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
        int repeats = args.Int("--repeats", 9);
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "gemm.md"));
        string loadBefore = MachineInfo.LoadAverage();

        var rows = new List<string>();
        foreach (int t in threads)
        {
            double peak = Statistics.Median(Enumerable.Range(0, repeats).Select(_ => Peak(t, LongPeakIterations)));
            rows.Add(Row($"FMA peak ({FmaPeak.Chains} {FmaPeak.Bits}-bit chains per thread)", "", 0, 0, 0, t, peak, peak, 1));
            using var backend = new CpuBackend(t);
            foreach (var gemm in Cases)
            {
                var (gflops, alongside, ratio) = Measure(backend, gemm, t, repeats);
                rows.Add(Row(gemm.Name, gemm.Op, gemm.M, gemm.N, gemm.K, t, gflops, alongside, ratio));
            }
        }

        var report = new BenchmarkReport("GEMM throughput of the CPU backend", "gemm", args)
        {
            MachineDetails = $"; threads: {string.Join(", ", threads)}; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                "C = op(A) op(B), row-major, m x n x k; op N or T per operand. GFLOP/s = 2mnk / time, the median of",
                $"{repeats} timed repetitions (each about 50 ms) after a warm-up of at least 0.5 s. The FMA peak row is the median",
                $"of as many 0.3 s runs of independent {FmaPeak.Bits}-bit FMA chains (the CPU backend's width) on that many threads. On this shared virtual machine",
                "the peak moves from moment to moment, so each GEMM repetition is bracketed by two 20 ms peak runs:",
                "\"peak alongside\" is the median of their means, and \"% of peak\" the median of the per-repetition ratios.",
            ],
        };
        report.Write(output, ["GEMM", "op", "m", "n", "k", "threads", "GFLOP/s", "peak alongside", "% of peak"], rows);
        return 0;
    }

    private static string Row(string name, string op, int m, int n, int k, int threads, double gflops, double peak, double ratio)
    {
        string Shape(int v) => v == 0 ? "" : v.ToString(CultureInfo.InvariantCulture);
        string Fixed(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        string line = $"| {name} | {op} | {Shape(m)} | {Shape(n)} | {Shape(k)} | {threads} | {Fixed(gflops)} | {Fixed(peak)} | " +
            $"{(100 * ratio).ToString("F0", CultureInfo.InvariantCulture)}% |";
        Console.WriteLine(line);
        return line;
    }

    /// <summary>Median GFLOP/s, median peak alongside, median ratio of each repetition to its bracketing peaks.</summary>
    private static (double Gflops, double Peak, double Ratio) Measure(CpuBackend backend, Case gemm, int threads, int repeats)
    {
        var random = new Random(1);
        using var a = Random(backend, gemm.M * gemm.K, random);
        using var b = Random(backend, gemm.K * gemm.N, random);
        using var c = backend.Allocate(gemm.M * gemm.N);
        void Call() => backend.Gemm(gemm.TransposeA, gemm.TransposeB, gemm.M, gemm.N, gemm.K, 1, a.All, b.All, 0, c.All);

        // The warm-up also lets tiered compilation replace the kernels' first, unoptimised code.
        int calls = 0;
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 500 || calls < 100)
        {
            Call();
            calls++;
        }
        calls = Math.Max(1, (int)(calls * 50e-3 / clock.Elapsed.TotalSeconds));

        double flops = 2.0 * gemm.M * gemm.N * gemm.K;
        var gflops = new double[repeats];
        var peaks = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            double before = Peak(threads, ShortPeakIterations);
            var timer = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++) Call();
            gflops[r] = calls * flops / timer.Elapsed.TotalSeconds / 1e9;
            peaks[r] = (before + Peak(threads, ShortPeakIterations)) / 2;
        }
        return (Statistics.Median(gflops), Statistics.Median(peaks), Statistics.Median(gflops.Zip(peaks, (g, p) => g / p)));
    }

    private static double Peak(int threads, long iterations) => FmaPeak.Measurable ? FmaPeak.Measure(threads, iterations) : double.NaN;

    private static DeviceArray Random(CpuBackend backend, int length, Random random)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextSingle() - 0.5f;
        var array = backend.Allocate(length);
        backend.Upload(values, array.All);
        return array;
    }

    private sealed record Case(string Name, bool TransposeA, bool TransposeB, int M, int N, int K)
    {
        public string Op => $"{(TransposeA ? 'T' : 'N')}{(TransposeB ? 'T' : 'N')}";
    }
}
