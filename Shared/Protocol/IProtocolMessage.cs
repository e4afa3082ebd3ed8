namespace DistTrainer.Shared.Protocol;

/// <summary>
/// Marks a message that may cross the network between nodes. The cluster's serializer is bound to
/// this interface and deserializes nothing that is not a protocol type.
/// </summary>
public interface IProtocolMessage;
