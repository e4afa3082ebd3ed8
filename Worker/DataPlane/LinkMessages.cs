using Akka.Actor;

namespace DistTrainer.Worker.DataPlane;

/// <summary>New weights from the parameter server's data plane, handed to the worker's shard queue (the array stays in process).</summary>
public sealed record WeightsArrived(long Version, float[] Weights) : INoSerializationVerificationNeeded;

/// <summary>The data-plane stream to the parameter server closed; the worker treats it as losing the coordinator.</summary>
public sealed record LinkLost(string Reason) : INoSerializationVerificationNeeded;
