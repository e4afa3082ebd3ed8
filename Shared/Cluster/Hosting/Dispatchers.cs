namespace DistTrainer.Cluster.Hosting;

/// <summary>Dispatchers deploy/akka.hocon defines.</summary>
public static class Dispatchers
{
    /// <summary>A thread of its own per actor, for the actors every training step waits on.</summary>
    public const string Step = "akka.actor.step-dispatcher";

    /// <summary>The parameter server's: run by the thread that hands it a shard result (<see cref="SenderThreadExecutor"/>).</summary>
    public const string ParameterServer = "akka.actor.parameter-server-dispatcher";
}
