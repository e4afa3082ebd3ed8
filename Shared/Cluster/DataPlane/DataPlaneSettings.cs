using Akka.Configuration;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The data plane's waits: the handshake, the pauses between connect retries, and how long closing
/// waits for its threads. The disttrainer.data-plane section of a node's configuration
/// (deploy/disttrainer.hocon documents each value).
/// </summary>
/// <param name="HelloTimeout">How long an accepted connection may take to send its Hello frame.</param>
/// <param name="FirstRetryDelay">The pause before the first connect retry; it doubles with each further attempt.</param>
/// <param name="LongestRetryDelay">The most the doubling pause grows to.</param>
/// <param name="ThreadExitWait">How long closing a connection or a listener waits for each of its threads to end.</param>
public sealed record DataPlaneSettings(TimeSpan HelloTimeout, TimeSpan FirstRetryDelay, TimeSpan LongestRetryDelay, TimeSpan ThreadExitWait)
{
    public const string Path = "disttrainer.data-plane";

    /// <summary>The values deploy/disttrainer.hocon ships, for ends that belong to no node (tests, benchmarks).</summary>
    public static DataPlaneSettings Default { get; } = Create(ClusterConfigBuilder.Embedded);

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static DataPlaneSettings Create(Config config)
    {
        var section = ConfigSection.Of(config, Path);
        return new DataPlaneSettings(section.Duration("hello-timeout"), section.Duration("first-retry-delay"),
            section.Duration("longest-retry-delay"), section.Duration("thread-exit-wait"));
    }
}
