namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// The roles a node joins with. The split brain resolver keeps the side holding the oldest
/// <see cref="Coordinator"/> (see deploy/akka.hocon), so a cluster always has one.
/// </summary>
public static class ClusterRoles
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";
}
