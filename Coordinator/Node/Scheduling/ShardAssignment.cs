using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Roster;

namespace DistTrainer.Coordinator.Scheduling;

/// <summary>A shard the scheduler gave a worker: the coordinator tells <paramref name="Worker"/> to compute <paramref name="Shard"/>.</summary>
public sealed record ShardAssignment(WorkerEntry Worker, ComputeShard Shard);
