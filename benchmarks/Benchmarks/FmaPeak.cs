using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DistTrainer.Core.Compute.Cpu;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The machine's FP32 FMA peak at a given thread count, at the register width the CPU backend's kernels run at
/// (<see cref="CpuBackend.VectorBits"/>: 512 bits with AVX-512, 256 with AVX2 and FMA): each thread runs 12 independent
/// chains of fused multiply-adds, all threads at once; flops over the slowest thread's time.
/// </summary>
public static class FmaPeak
{
    /// <summary>Chains per thread: 12 cover the FMA latency (4-5 cycles) on both pipes and, with the two operands, fit AVX2's 16 registers.</summary>
    public const int Chains = 12;

    /// <summary>The width the chains run at, the backend's.</summary>
    public static int Bits => CpuBackend.VectorBits;

    // The backend's width is already the widest this machine accelerates; the chains need fused multiply-adds at it.
    public static bool Measurable => Bits >= 256 && System.Runtime.Intrinsics.X86.Fma.IsSupported;

    /// <summary>GFLOP/s of all <paramref name="threads"/> threads together, each running <paramref name="iterations"/> steps of all chains.</summary>
    public static double Measure(int threads, long iterations) =>
        Bits == 512 ? Measure<Register512>(threads, iterations) : Measure<Register256>(threads, iterations);

    private static double Measure<TRegister>(int threads, long iterations) where TRegister : struct, IRegister<TRegister>
    {
        var seconds = new double[threads];
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.Wait();
            var clock = Stopwatch.StartNew();
            Chain<TRegister>(iterations);
            seconds[t] = clock.Elapsed.TotalSeconds;
        })).ToArray();
        foreach (var worker in workers) worker.Start();
        start.Set();
        foreach (var worker in workers) worker.Join();
        return threads * iterations * Chains * TRegister.Floats * 2 / seconds.Max() / 1e9;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Chain<TRegister>(long iterations) where TRegister : struct, IRegister<TRegister>
    {
        var m = TRegister.Create(0.999999f);
        var a = TRegister.Create(1e-7f);
        TRegister c0 = TRegister.Create(1), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0,
            c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TRegister.MultiplyAdd(c0, m, a);
            c1 = TRegister.MultiplyAdd(c1, m, a);
            c2 = TRegister.MultiplyAdd(c2, m, a);
            c3 = TRegister.MultiplyAdd(c3, m, a);
            c4 = TRegister.MultiplyAdd(c4, m, a);
            c5 = TRegister.MultiplyAdd(c5, m, a);
            c6 = TRegister.MultiplyAdd(c6, m, a);
            c7 = TRegister.MultiplyAdd(c7, m, a);
            c8 = TRegister.MultiplyAdd(c8, m, a);
            c9 = TRegister.MultiplyAdd(c9, m, a);
            c10 = TRegister.MultiplyAdd(c10, m, a);
            c11 = TRegister.MultiplyAdd(c11, m, a);
        }
        // The sum keeps every chain live, so none is optimised away.
        return c0.Sum() + c1.Sum() + c2.Sum() + c3.Sum() + c4.Sum() + c5.Sum() + c6.Sum() + c7.Sum() +
               c8.Sum() + c9.Sum() + c10.Sum() + c11.Sum();
    }

    /// <summary>One register of floats; the chains are generic over it so that one source serves each width.</summary>
    private interface IRegister<TSelf> where TSelf : struct, IRegister<TSelf>
    {
        static abstract int Floats { get; }

        static abstract TSelf Create(float value);

        static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

        float Sum();
    }

    private readonly struct Register512(Vector512<float> value) : IRegister<Register512>
    {
        public static int Floats => Vector512<float>.Count;

        public static Register512 Create(float value) => new(Vector512.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Register512 MultiplyAdd(Register512 a, Register512 b, Register512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));

        public float Sum() => Vector512.Sum(Value);

        private Vector512<float> Value { get; } = value;
    }

    private readonly struct Register256(Vector256<float> value) : IRegister<Register256>
    {
        public static int Floats => Vector256<float>.Count;

        public static Register256 Create(float value) => new(Vector256.Create(value));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Register256 MultiplyAdd(Register256 a, Register256 b, Register256 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));

        public float Sum() => Vector256.Sum(Value);

        private Vector256<float> Value { get; } = value;
    }
}
