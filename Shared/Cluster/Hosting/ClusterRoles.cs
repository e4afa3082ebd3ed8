namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// The roles a node joins with. The split brain resolver keeps the side holding the oldest
/// <see cref="Coordinator"/> (see deploy/akka.hocon), so a cluster always has one.
/// </summary>
public static class ClusterRoles
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";

    /// <summary>A node of the worker program that serves key ranges of the parameter server and computes nothing (it has the worker role too).</summary>
    public const string Ps = "ps";

    /// <summary>
    /// A standby coordinator's node (it has the coordinator role too): it trains nothing, and the node that takes a run
    /// over is a fresh one without this role, so that standbys tell an active coordinator from one another.
    /// </summary>
    public const string Standby = "standby";
}
