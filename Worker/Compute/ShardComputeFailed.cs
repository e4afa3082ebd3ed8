using Akka.Actor;
using DistTrainer.Cluster.Protocol;

namespace DistTrainer.Worker.Compute;

/// <summary>A shard this worker could not compute, and why: the worker actor reports it to the coordinator.</summary>
public sealed record ShardComputeFailed(ComputeShard Shard, string Reason) : INoSerializationVerificationNeeded;
