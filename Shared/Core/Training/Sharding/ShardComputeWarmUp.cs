using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;

namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// A worker's shard compute on a model, a CPU backend and payloads of its own, run before the first real shard: the
/// runtime compiles a method at its first call (the kernels, whose loops are compiled optimised at once: 0.1-0.2 s of a
/// run's first step on two cores) and again, optimised, after its thirtieth. Done here, that work leaves the run's first
/// steps; nothing a run holds is touched, so its result is the same with the warm-up or without it. Compiled code is the
/// process's, so one warm-up a process is enough (<see cref="Claim"/>): the embedded cluster's, which also warms the
/// parameter server's step, or a worker process's as it prepares its session. Not thread-safe.
/// </summary>
public sealed class ShardComputeWarmUp : IDisposable
{
    /// <summary>More calls than the runtime's 30 before it compiles a method optimised.</summary>
    public const int Steps = 32;

    private static int _claimed;

    private readonly CpuBackend _backend;
    private readonly ShardComputer _computer;
    private readonly int[] _indices;
    private readonly int _normalizer;
    private readonly float[][] _payloads;

    /// <summary>
    /// <paramref name="shards"/> shards of <paramref name="rows"/> rows a step (the first rows of <paramref name="data"/>, again
    /// from its start where it has fewer), computed one after another on <paramref name="threads"/> CPU threads.
    /// </summary>
    public ShardComputeWarmUp(ModelSpec spec, LossFunction loss, Dataset data, int threads, int rows, int shards, ulong seed)
    {
        if (data.Count == 0) throw new ArgumentException("a warm-up needs at least one row of data", nameof(data));
        _backend = new CpuBackend(threads);
        _computer = new ShardComputer(spec, loss, data, _backend, rows, seed, null);
        Shards = [.. Enumerable.Range(0, shards).Select(i => new Shard(i, i * rows, rows))];
        _indices = [.. Enumerable.Range(0, shards * rows).Select(i => i % data.Count)];
        _normalizer = loss.Normalizer(_indices.Length, spec.OutputWidth);
        _payloads = [.. Shards.Select(_ => new float[_computer.Layout.Length])];
    }

    /// <summary>Claims the process's warm-up: true for the first caller only.</summary>
    public static bool Claim() => Interlocked.Exchange(ref _claimed, 1) == 0;

    public IReadOnlyList<Shard> Shards { get; }
    public ShardPayloadLayout Layout => _computer.Layout;
    public int ParameterCount => _computer.ParameterCount;

    /// <summary>Computes every shard of step <paramref name="step"/> at <paramref name="weights"/>; each output's payload is reused by the next step.</summary>
    public ShardOutput[] Step(long step, ReadOnlySpan<float> weights)
    {
        _computer.LoadWeights(step, weights);
        var outputs = new ShardOutput[Shards.Count];
        foreach (var shard in Shards)
            outputs[shard.Id] = _computer.Compute(step, shard.Start, _indices.AsSpan(shard.Start, shard.Count), _normalizer, _payloads[shard.Id]);
        return outputs;
    }

    /// <summary>
    /// <see cref="Steps"/> steps, or fewer when <paramref name="stop"/> is cancelled (looked at between steps); returns the
    /// steps taken. The weights are zeros: the kernels take the same paths whatever the values.
    /// </summary>
    public int Run(CancellationToken stop)
    {
        var weights = new float[ParameterCount];
        int step = 0;
        for (; step < Steps && !stop.IsCancellationRequested; step++) Step(step, weights);
        return step;
    }

    public void Dispose()
    {
        _computer.Dispose();
        _backend.Dispose();
    }
}
