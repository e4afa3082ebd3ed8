using Akka.Configuration;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// How a standby coordinator receives the active one's state: the disttrainer.standby section of its node's configuration
/// (deploy/disttrainer.hocon documents each value).
/// </summary>
/// <param name="RegistrationRetry">How often a standby not yet accepted (or whose snapshot stream closed) asks again.</param>
/// <param name="ConnectTimeout">Bounds one attempt to connect the snapshot stream.</param>
/// <param name="ConnectRetries">Connect attempts after the first.</param>
/// <param name="MaxSnapshotBytes">The largest checkpoint a standby takes.</param>
/// <param name="JoinTimeout">How long a standby's nodes may take to join the cluster (at the start, and after each removal).</param>
/// <param name="FreshJoinAfter">How long one node tries to join before a fresh node takes its place, within <paramref name="JoinTimeout"/>.</param>
/// <param name="FreshNodeWait">How long a standby told that the active coordinator rolls back on a fresh node waits for that node to join.</param>
/// <param name="ActiveProbeTimeout">How long a first coordinator waits for the other coordinators' addresses to answer before it founds the cluster.</param>
/// <param name="ActiveProbeInterval">How often a first coordinator that founded the cluster asks those addresses again until its first step.</param>
public sealed record StandbySettings(TimeSpan RegistrationRetry, TimeSpan ConnectTimeout, int ConnectRetries, long MaxSnapshotBytes,
    TimeSpan JoinTimeout, TimeSpan FreshJoinAfter, TimeSpan FreshNodeWait, TimeSpan ActiveProbeTimeout, TimeSpan ActiveProbeInterval)
{
    public const string Path = "disttrainer.standby";

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static StandbySettings Create(Config config)
    {
        var section = ConfigSection.Of(config, Path);
        return new StandbySettings(section.Duration("registration-retry"), section.Duration("connect-timeout"), section.Count("connect-retries"),
            section.Bytes("max-snapshot-bytes"), section.Duration("join-timeout"), section.Duration("fresh-join-after"),
            section.Duration("fresh-node-wait"), section.Duration("active-probe-timeout"), section.Duration("active-probe-interval"));
    }
}
