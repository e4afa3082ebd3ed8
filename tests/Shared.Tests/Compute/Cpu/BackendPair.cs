using DistTrainer.Shared.Compute;
using DistTrainer.Shared.Compute.Cpu;
using DistTrainer.Shared.Compute.Reference;

namespace DistTrainer.Shared.Tests.Compute.Cpu;

/// <summary>A CPU backend and the reference backend holding the same values, for comparing an operation's results.</summary>
internal sealed class BackendPair : IDisposable
{
    private readonly Random random;

    public BackendPair(int seed = 1, CpuBackend? cpu = null)
    {
        random = new Random(seed);
        Cpu = cpu ?? new CpuBackend(2);
    }

    public CpuBackend Cpu { get; }

    public ReferenceBackend Reference { get; } = new();

    /// <summary>Uniform values in [low, high), the same in both backends.</summary>
    public Pair Random(int length, float low = -1, float high = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
        return Of(values);
    }

    public Pair Of(float[] values)
    {
        var pair = new Pair(Cpu.Allocate(values.Length), Reference.Allocate(values.Length));
        Cpu.Upload(values, pair.Cpu);
        Reference.Upload(values, pair.Reference);
        return pair;
    }

    public Pair Zeros(int length) => Of(new float[length]);

    public void Dispose() => Cpu.Dispose();

    /// <summary>The same array in each backend.</summary>
    public sealed record Pair(DeviceArray CpuStorage, DeviceArray ReferenceStorage)
    {
        public DeviceSlice Cpu => CpuStorage.All;

        public DeviceSlice Reference => ReferenceStorage.All;

        public float[] CpuValues => CpuBackend.View(Cpu).ToArray();

        public double[] ReferenceValues => ReferenceBackend.View(Reference).ToArray();
    }
}
