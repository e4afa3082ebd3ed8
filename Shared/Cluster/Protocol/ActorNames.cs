namespace DistTrainer.Cluster.Protocol;

/// <summary>The well-known names nodes find each other's actors by (under /user).</summary>
public static class ActorNames
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";
}
