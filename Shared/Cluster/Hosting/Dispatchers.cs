namespace DistTrainer.Cluster.Hosting;

/// <summary>Dispatchers deploy/akka.hocon defines.</summary>
public static class Dispatchers
{
    /// <summary>A thread of its own per actor, for the actors every training step waits on.</summary>
    public const string Step = "akka.actor.step-dispatcher";
}
