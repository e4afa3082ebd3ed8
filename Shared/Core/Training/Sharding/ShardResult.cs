namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// One worker's result for one shard: its payload is laid out by <see cref="ShardPayloadLayout"/>; how long the worker
/// computed it, as it reported.
/// </summary>
public readonly record struct ShardResult(long Step, int Attempt, int ShardId, int Rows, double LossSum, int Correct, float[] Payload,
    double ComputeSeconds = 0);
