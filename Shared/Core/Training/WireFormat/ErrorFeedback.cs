using System.Numerics.Tensors;

namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// Error feedback for gradients sent rounded: per logical shard, the part of its last gradient that rounding
/// lost (the residual) is added to its next gradient before that is rounded, so what the parameter server
/// receives for a shard sums, over the steps, to the exact gradients within one rounding. Kept per shard
/// id, not per worker, because a step's gradient is the mean of its shards' and each shard's own loss is
/// what is carried over. A shard's residual stays on the worker that computed it: when the shard moves to
/// another worker it starts there from zero, and a worker that gets it back resumes its older residual.
/// Used from the one compute thread of a worker, so it takes no lock; it holds one residual per shard id it saw.
/// </summary>
public sealed class ErrorFeedback(PackedShardPayload packing)
{
    private readonly Dictionary<int, float[]> _residuals = new();

    public PackedShardPayload Packing { get; } = packing;

    /// <summary>
    /// Adds shard <paramref name="shard"/>'s residual to the gradients of <paramref name="payload"/> (in place),
    /// packs it into <paramref name="packed"/> and keeps what the rounding lost as the shard's new residual.
    /// </summary>
    public void Pack(int shard, float[] payload, Span<float> packed)
    {
        if (!_residuals.TryGetValue(shard, out var residual))
            _residuals[shard] = residual = new float[Packing.Layout.ParameterCount];
        var gradients = Packing.Layout.Gradients(payload);
        TensorPrimitives.Add(gradients, residual, gradients);
        Packing.Pack(payload, packed);
        Packing.DecodeGradients(packed, residual);
        TensorPrimitives.Subtract(gradients, residual, residual);
        // A value that overflowed the format, or a NaN, leaves a residual that would spoil every later step of
        // the shard; that step's result is refused as not finite anyway, so nothing of it is carried over.
        if (!Finite.All(residual)) residual.AsSpan().Clear();
    }

    /// <summary>What rounding has lost of <paramref name="shard"/>'s gradients so far; empty for a shard not seen.</summary>
    public ReadOnlySpan<float> Residual(int shard) => _residuals.TryGetValue(shard, out var residual) ? residual : default;
}
