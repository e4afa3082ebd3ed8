namespace DistTrainer.Cluster.DataPlane;

/// <summary>A peer sent bytes that are not a valid frame; the message says what was wrong with them.</summary>
public sealed class FrameProtocolException(string message) : Exception(message);
