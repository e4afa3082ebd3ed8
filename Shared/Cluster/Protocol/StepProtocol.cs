namespace DistTrainer.Cluster.Protocol;

/// <summary>
/// Compute shard <paramref name="ShardId"/> of attempt <paramref name="Attempt"/> of step
/// <paramref name="Step"/> with the weights of version <paramref name="Step"/> (those after the
/// steps before it): forward and backward over the given dataset rows, which sit at
/// <paramref name="RowOffset"/> in the global batch, scaling the loss by 1 / <paramref name="Normalizer"/>
/// (that of the global batch). The result goes back on the data plane.
/// </summary>
public sealed record ComputeShard(long Step, int Attempt, int ShardId, int RowOffset, int[] Indices, int Normalizer)
    : IProtocolMessage;

/// <summary>A worker could not compute a shard (an exception, a batch-norm exchange that timed out): it must go elsewhere.</summary>
public sealed record ShardFailed(long Step, int Attempt, int ShardId, string WorkerId, string Reason) : IProtocolMessage;
