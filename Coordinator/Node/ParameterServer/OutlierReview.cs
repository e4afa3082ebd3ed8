namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// What the result finally taken for a shard says of a worker whose result for it was judged an outlier in the same
/// step: <see cref="Faulty"/> when the taken one differs (the worker sent a wrong gradient), not when it is the same
/// (the data made that shard's gradient large, as a few hard rows do near convergence).
/// </summary>
public readonly record struct OutlierReview(int ShardId, string WorkerId, bool Faulty);
