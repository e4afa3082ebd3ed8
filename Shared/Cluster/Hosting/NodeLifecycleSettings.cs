using Akka.Configuration;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// How long a node may take to leave the cluster and then to stop, the same on every node: the
/// disttrainer.node section of its configuration (deploy/disttrainer.hocon documents each value).
/// </summary>
/// <param name="LeaveTimeout">Bounds coordinated shutdown: leaving, waiting for the removal, stopping the actor system.</param>
/// <param name="TerminateTimeout">Bounds terminating the actor system when the leave ran out of time.</param>
public sealed record NodeLifecycleSettings(TimeSpan LeaveTimeout, TimeSpan TerminateTimeout)
{
    public const string Path = "disttrainer.node";

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static NodeLifecycleSettings Create(Config config)
    {
        var section = ConfigSection.Of(config, Path);
        return new NodeLifecycleSettings(section.Duration("leave-timeout"), section.Duration("terminate-timeout"));
    }
}
