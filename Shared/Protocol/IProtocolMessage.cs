namespace DistTrainer.Shared.Protocol;

/// <summary>
/// Marks a message that travels between nodes. The cluster configuration binds this interface to
/// <see cref="Cluster.HyperionMessageSerializer"/>, which only deserializes types of this namespace,
/// so every message record of the protocol implements it and lives under DistTrainer.Shared.Protocol.
/// </summary>
public interface IProtocolMessage;
