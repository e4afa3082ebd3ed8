namespace DistTrainer.Coordinator.Standby;

/// <summary>A complete, checked checkpoint received from the active coordinator: its step and its file's bytes.</summary>
public sealed record StandbySnapshot(long Step, byte[] Bytes);
