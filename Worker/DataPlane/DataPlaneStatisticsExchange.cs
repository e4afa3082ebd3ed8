using System.Collections.Concurrent;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Worker.DataPlane;

/// <summary>
/// Synchronised batch norm from a worker's side: each call sends this shard's statistics to the
/// parameter server on the data plane and blocks the compute thread (never an actor) until the
/// reduction over every shard of the step comes back, the step is abandoned, or the timeout passes.
/// </summary>
public sealed class DataPlaneStatisticsExchange(Func<FrameHeader, float[], bool> send, TimeSpan timeout) : IBatchStatisticsExchange
{
    private readonly ConcurrentDictionary<(FrameKind, int), TaskCompletionSource<(int Rows, float[] Values)>> _waiting = new();
    private long _step;
    private int _attempt, _shardId;

    /// <summary>Names the shard whose computation the next calls belong to.</summary>
    public void Begin(long step, int attempt, int shardId)
    {
        _step = step;
        _attempt = attempt;
        _shardId = shardId;
        foreach (var pending in _waiting.Values)
            pending.TrySetException(new ShardAbandonedException($"step {_step} moved on"));
        _waiting.Clear();
    }

    public int ReduceMoments(int layer, int rows, Span<float> mean, Span<float> variance) =>
        Reduce(FrameKind.Moments, FrameKind.MomentsReduced, layer, rows, mean, variance);

    public void ReduceGradientSums(int layer, Span<float> gammaGradient, Span<float> betaGradient) =>
        Reduce(FrameKind.GradientSums, FrameKind.GradientSumsReduced, layer, 0, gammaGradient, betaGradient);

    /// <summary>Called by the data plane's reader with a reduction the parameter server sent back (a negative row count: the attempt was abandoned).</summary>
    public void Deliver(in FrameHeader header, float[] values)
    {
        if (header.Step != _step || header.Attempt != _attempt) return;
        if (header.SampleCount < 0)
        {
            // Abandoned: whatever this shard waits for will never come.
            foreach (var waiting in _waiting.Values)
                waiting.TrySetException(new ShardAbandonedException(
                    $"the parameter server abandoned attempt {header.Attempt} of step {header.Step + 1}"));
            return;
        }
        if (_waiting.TryGetValue((header.Kind, header.Layer), out var pending))
            pending.TrySetResult((header.SampleCount, values));
    }

    private int Reduce(FrameKind kind, FrameKind answer, int layer, int rows, Span<float> first, Span<float> second)
    {
        int width = first.Length;
        var payload = new float[2 * width];
        first.CopyTo(payload);
        second.CopyTo(payload.AsSpan(width));
        var pending = new TaskCompletionSource<(int, float[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[(answer, layer)] = pending;
        var header = new FrameHeader(kind, _step, ShardId: _shardId, Layer: layer, SampleCount: rows, Attempt: _attempt);
        if (!send(header, payload))
            throw new IOException($"batch-norm statistics of layer {layer}, step {_step}: the data plane to the parameter server is closed");
        if (!((IAsyncResult)pending.Task).AsyncWaitHandle.WaitOne(timeout))
            throw new TimeoutException(
                $"batch-norm layer {layer}, step {_step + 1}: no reduction from the parameter server within {timeout.TotalSeconds:F0} s");
        var (globalRows, values) = pending.Task.GetAwaiter().GetResult();
        if (values.Length != 2 * width)
            throw new InvalidDataException($"batch-norm layer {layer}: the reduction has {values.Length} values; expected {2 * width}");
        values.AsSpan(0, width).CopyTo(first);
        values.AsSpan(width).CopyTo(second);
        return globalRows;
    }
}
