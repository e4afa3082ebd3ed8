using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>
/// A step whose every shard is in, made by hand for the parameter server's plain classes: shard i has
/// two rows, loss sum i + 1 and one correct row, and carries the i-th payload.
/// </summary>
internal static class CompleteStep
{
    public static StepAggregator Of(ShardPayloadLayout layout, long step, params float[][] payloads)
    {
        var aggregator = new StepAggregator(layout);
        aggregator.Begin(step, 0, payloads.Select((_, i) => new Shard(i, 2 * i, 2)).ToArray());
        for (int i = 0; i < payloads.Length; i++)
            Assert.Equal(ShardVerdict.Accepted, aggregator.Offer(new ShardResult(step, 0, i, 2, i + 1, 1, payloads[i]), out _));
        return aggregator;
    }
}
