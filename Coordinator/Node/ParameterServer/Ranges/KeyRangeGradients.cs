using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer.Ranges;

/// <summary>The gradients of a step whose key ranges' parts are held apart, each range read from its own intake.</summary>
public sealed class KeyRangeGradients(IReadOnlyList<RangeIntake> intakes, int[] cuts) : IShardGradients
{
    public int ShardCount => ((IShardGradients)intakes[0]).ShardCount;

    public ReadOnlySpan<float> Gradient(int shard, int offset, int length)
    {
        int range = Array.IndexOf(cuts, offset);
        if (range < 0 || range >= intakes.Count)
            throw new ArgumentException($"[{offset}, {offset + length}) does not start a key range; they are bounded at [{string.Join(", ", cuts)}]");
        return ((IShardGradients)intakes[range]).Gradient(shard, offset, length);
    }
}
