using Akka.Actor;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>A checkpoint to write to <paramref name="Path"/>, for <paramref name="ReplyTo"/> (null: the periodic one, whose failure ends the run).</summary>
public sealed record CheckpointJob(string Path, IActorRef? ReplyTo);
