using Akka.Configuration;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The data plane's memory and connection bounds, from the same disttrainer.data-plane section as
/// <see cref="DataPlaneSettings"/> (deploy/disttrainer.hocon documents each value and what happens when it is hit).
/// </summary>
/// <param name="SendQueueBytes">The payload bytes one connection may hold queued and not yet written; passing it closes the connection.</param>
/// <param name="PayloadPoolBytes">The bytes of free payload arrays a pool keeps for reuse; arrays returned beyond it are left to the collector.</param>
/// <param name="PendingHandshakes">The accepted connections a listener lets wait for their Hello at once; more are closed at accept.</param>
/// <param name="PayloadPoolIdle">The period after which a pool's free arrays not rented in it are released to the collector.</param>
public sealed record DataPlaneBounds(long SendQueueBytes, long PayloadPoolBytes, int PendingHandshakes, TimeSpan PayloadPoolIdle)
{
    /// <summary>The values deploy/disttrainer.hocon ships, for ends that belong to no node (tests, benchmarks, the shared pool).</summary>
    public static DataPlaneBounds Default { get; } = Create(ClusterConfigBuilder.Embedded);

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static DataPlaneBounds Create(Config config)
    {
        var section = ConfigSection.Of(config, DataPlaneSettings.Path);
        return new DataPlaneBounds(section.Bytes("send-queue-bytes"), section.Bytes("payload-pool-bytes"), section.CountOfOneOrMore("pending-handshakes"),
            section.Duration("payload-pool-idle"));
    }
}
