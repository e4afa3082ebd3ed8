namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>A shard of a complete step judged far larger than the others: from <paramref name="WorkerId"/>, <paramref name="Ratio"/> times the reference.</summary>
public readonly record struct ShardOutlier(int ShardId, string WorkerId, double Ratio);
