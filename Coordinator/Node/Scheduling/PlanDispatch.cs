using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;

namespace DistTrainer.Coordinator.Scheduling;

/// <summary>
/// A new plan to send out: first the parameter server learns which shards to expect (<paramref name="Begin"/>),
/// then each worker gets its shard.
/// </summary>
public sealed record PlanDispatch(BeginStep Begin, IReadOnlyList<ShardAssignment> Shards);
