using Akka.Actor.Setup;

namespace DistTrainer.Cluster.Logging;

/// <summary>
/// Hands a Serilog logger to <see cref="SerilogLoggerActor"/> through the actor system's setup:
/// the logger actor starts inside ActorSystem.Create, before any extension could be registered.
/// </summary>
public sealed class SerilogSetup(Serilog.ILogger logger) : Setup
{
    public Serilog.ILogger Logger { get; } = logger;
}
