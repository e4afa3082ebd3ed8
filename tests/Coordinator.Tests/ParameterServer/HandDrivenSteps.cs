using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>What the tests that drive a parameter server by hand share: the steps' shards, the tokens, how long quiet is.</summary>
internal static class HandDrivenSteps
{
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    public static readonly Shard[] TwoShards = [new(0, 0, 2), new(1, 2, 2)];
    public static readonly Shard[] FourShards = [new(0, 0, 1), new(1, 1, 1), new(2, 2, 1), new(3, 3, 1)];

    public static string TokenOf(string workerId) => $"token of {workerId}";

    public static float[] Minus(float[] weights, float delta) => weights.Select(w => w - delta).ToArray();
}
