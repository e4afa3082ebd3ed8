using Akka.Configuration;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// What a host of key ranges and its ranges' servers hold and how long, from the disttrainer.key-ranges section
/// (deploy/disttrainer.hocon documents each value and what happens when it is hit).
/// </summary>
/// <param name="HandOverWait">How long a stream that came before what it needs (its range's hand-over, its worker's admission) waits for it.</param>
/// <param name="WaitingStreams">The streams one host holds waiting at once.</param>
/// <param name="UnadmittedStreams">The workers' streams one range holds until their admission, at once.</param>
/// <param name="EarlyParts">The gradient parts one range holds for steps it has not begun.</param>
/// <param name="ReportLinger">How long a range holds its part reports for the master while some shard's part has not come (<see cref="PartReportBatch"/>).</param>
public sealed record KeyRangeBounds(TimeSpan HandOverWait, int WaitingStreams, int UnadmittedStreams, int EarlyParts, TimeSpan ReportLinger)
{
    public const string Path = "disttrainer.key-ranges";

    /// <summary>The values deploy/disttrainer.hocon ships.</summary>
    public static KeyRangeBounds Default { get; } = Create(ClusterConfigBuilder.Embedded);

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static KeyRangeBounds Create(Config config)
    {
        var section = ConfigSection.Of(config, Path);
        return new KeyRangeBounds(section.Duration("hand-over-wait"), section.CountOfOneOrMore("waiting-streams"),
            section.CountOfOneOrMore("unadmitted-streams"), section.CountOfOneOrMore("early-parts"), section.Duration("report-linger"));
    }
}
