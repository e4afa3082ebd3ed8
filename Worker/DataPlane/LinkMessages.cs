using Akka.Actor;
using Akka.Event;

namespace DistTrainer.Worker.DataPlane;

/// <summary>New weights from the parameter server's data plane, handed to the worker's shard queue (the array stays in process).</summary>
public sealed record WeightsArrived(long Version, float[] Weights) : INoSerializationVerificationNeeded;

/// <summary>
/// The data-plane stream to the parameter server closed; the worker treats it as losing the coordinator. The link closes
/// as the worker actor stops at a run's end, so its last report finds no recipient: that is the normal end, not a lost
/// message worth a line in every run's log.
/// </summary>
public sealed record LinkLost(string Reason) : INoSerializationVerificationNeeded, IDeadLetterSuppression;
