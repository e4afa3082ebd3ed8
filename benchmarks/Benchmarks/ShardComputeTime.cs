using System.Diagnostics;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Benchmarks;

/// <summary>
/// What a real worker's shard costs here: the worker's own <see cref="ShardComputer"/> on the CPU backend with one thread
/// (an embedded worker's) at the model's fresh weights (the cost of a step does not depend on its values): the fastest of
/// several shards of <c>rows</c> rows after a few unmeasured ones, the machine's own speed with the least of other processes' load in it.
/// </summary>
public static class ShardComputeTime
{
    private const int WarmUp = 3;
    private const int Measured = 30;

    public static TimeSpan PerRow(string layers, Dataset train, int rows)
    {
        using var backend = new CpuBackend(1);
        using var computer = new ShardComputer(ModelSpec.Parse(layers), LossFunction.Parse("cross-entropy"), train, backend, rows, seed: 1, null);
        var payload = new float[computer.Layout.Length];
        var indices = Enumerable.Range(0, rows).ToArray();
        var seconds = new double[Measured];
        for (int i = -WarmUp; i < Measured; i++)
        {
            long start = Stopwatch.GetTimestamp();
            computer.Compute(i + WarmUp, 0, indices, rows, payload);
            if (i >= 0) seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return TimeSpan.FromSeconds(seconds.Min() / rows);
    }
}
