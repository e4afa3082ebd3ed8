namespace DistTrainer.Core.Training.Sharding;

/// <summary>Rows [Start, Start + Count) of a step's global batch; shards are numbered in batch order.</summary>
public readonly record struct Shard(int Id, int Start, int Count);
