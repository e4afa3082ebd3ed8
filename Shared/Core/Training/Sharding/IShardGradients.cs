namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// The gradients of a complete step's accepted shards, readable range by range: whole results held in one place
/// (<see cref="StepAggregator"/>), or each range's parts held apart (with the parameters cut into key ranges).
/// </summary>
public interface IShardGradients
{
    /// <summary>How many shards the step has.</summary>
    int ShardCount { get; }

    /// <summary>Shard <paramref name="shard"/>'s gradient over the elements [offset, offset + length).</summary>
    ReadOnlySpan<float> Gradient(int shard, int offset, int length);
}

/// <summary>
/// The one way a step's gradients are summed: element by element in shard order, never arrival order, so the same shards
/// give the same bits; every element is added in that order whatever range it is read in, so ranges summed apart are,
/// together, the whole sum's bits.
/// </summary>
public static class ShardOrderSum
{
    /// <summary>Writes the sum of the shards' gradients over [offset, offset + sum.Length) into <paramref name="sum"/>.</summary>
    public static void Into<TShards>(TShards shards, Span<float> sum, int offset) where TShards : IShardGradients
    {
        int length = sum.Length;
        // The first two shards in one pass, not a copy and then an add: the same sum, one model-sized read and write fewer.
        if (shards.ShardCount == 1) shards.Gradient(0, offset, length).CopyTo(sum);
        else System.Numerics.Tensors.TensorPrimitives.Add(shards.Gradient(0, offset, length), shards.Gradient(1, offset, length), sum);
        for (int i = 2; i < shards.ShardCount; i++)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, shards.Gradient(i, offset, length), sum);
    }
}
