namespace DistTrainer.Cluster.Serialization;

/// <summary>
/// A message serialized to more bytes than the configured cap. Akka.Remote would drop it with
/// only a log line on the receiver; failing in the sender names the culprit instead.
/// </summary>
public sealed class MessageTooLargeException(string message) : Exception(message);
