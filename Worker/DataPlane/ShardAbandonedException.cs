namespace DistTrainer.Worker.DataPlane;

/// <summary>The parameter server started another attempt of the step while this shard was being computed: its result would be dropped.</summary>
public sealed class ShardAbandonedException(string message) : Exception(message);
