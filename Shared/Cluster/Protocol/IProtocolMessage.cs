using DistTrainer.Cluster.Serialization;

namespace DistTrainer.Cluster.Protocol;

/// <summary>
/// Marks a message that travels between nodes. The cluster configuration binds this interface to
/// <see cref="Cluster.HyperionMessageSerializer"/>, which only deserializes types of this namespace,
/// so every message record of the protocol implements it and lives under DistTrainer.Cluster.Protocol.
/// </summary>
public interface IProtocolMessage;
