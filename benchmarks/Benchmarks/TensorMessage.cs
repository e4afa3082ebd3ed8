namespace DistTrainer.Cluster.Protocol;

/// <summary>
/// A float32 tensor sent through Akka.Remote by the data-plane benchmark. It lives in the protocol
/// namespace because the Hyperion serializer only builds types of that namespace; the receiver sends
/// it back when <paramref name="Echo"/> is set.
/// </summary>
public sealed record TensorMessage(bool Echo, float[] Values) : IProtocolMessage;
