using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The machine's FP32 FMA peak at a given thread count: each thread runs 16 independent chains of
/// Vector512 fused multiply-adds (enough to cover the FMA latency on both FMA pipes), all threads
/// at once; flops over the slowest thread's time.
/// </summary>
public static class FmaPeak
{
    private const int Chains = 16;

    public static bool Measurable => Vector512.IsHardwareAccelerated;

    /// <summary>GFLOP/s of all <paramref name="threads"/> threads together, each running <paramref name="iterations"/> steps of all chains.</summary>
    public static double Measure(int threads, long iterations)
    {
        var seconds = new double[threads];
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.Wait();
            var clock = Stopwatch.StartNew();
            Chain(iterations);
            seconds[t] = clock.Elapsed.TotalSeconds;
        })).ToArray();
        foreach (var worker in workers) worker.Start();
        start.Set();
        foreach (var worker in workers) worker.Join();
        return threads * iterations * Chains * Vector512<float>.Count * 2 / seconds.Max() / 1e9;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chain(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512<float>.One, c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0,
            c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a);
            c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a);
            c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a);
            c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a);
            c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a);
            c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a);
            c11 = Vector512.FusedMultiplyAdd(c11, m, a);
            c12 = Vector512.FusedMultiplyAdd(c12, m, a);
            c13 = Vector512.FusedMultiplyAdd(c13, m, a);
            c14 = Vector512.FusedMultiplyAdd(c14, m, a);
            c15 = Vector512.FusedMultiplyAdd(c15, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15);
    }
}
