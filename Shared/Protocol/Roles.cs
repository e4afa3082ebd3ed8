namespace DistTrainer.Shared.Protocol;

/// <summary>Cluster roles and the well-known actor names nodes find each other by.</summary>
public static class Roles
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";
    public const string CoordinatorActorName = "coordinator";
}
