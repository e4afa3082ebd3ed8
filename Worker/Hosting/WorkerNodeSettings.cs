using Akka.Configuration;
using DistTrainer.Cluster.Hosting;

namespace DistTrainer.Worker.Hosting;

/// <summary>
/// A worker node's waits while it registers and connects its data plane: the disttrainer.worker section
/// of its configuration (deploy/disttrainer.hocon documents each value). The worker actor reads them from
/// its own actor system, so a node's config overrides reach it.
/// </summary>
/// <param name="RegistrationTimeout">The default of the worker program's --registration-timeout; a worker's own is in <see cref="Actors.WorkerSettings"/>.</param>
/// <param name="RegistrationRetry">How often an unaccepted worker registers again.</param>
/// <param name="ConnectTimeout">Bounds one attempt to connect the data plane to the parameter server.</param>
/// <param name="ConnectRetries">Connect attempts after the first that fails.</param>
/// <param name="PrepareTimeout">Bounds opening a session once accepted: loading the dataset, the backend, the data plane, the model.</param>
/// <param name="OrphanTimeout">How long a node stays in a cluster with no coordinator node before it leaves to join through the seed nodes again.</param>
/// <param name="FreshJoinAfter">How long a worker program's node may take to be up in the cluster before a fresh node takes its place (<see cref="RejoiningWorker"/>).</param>
/// <param name="SimulatedComputePerRow">Zero: shards are computed. Otherwise a shard is a wait of this per row (the scale benchmark's simulated workers).</param>
/// <param name="ComputeSpin">How long the compute thread polls for its next shard before it blocks (<see cref="Compute.ComputeThread"/>).</param>
/// <param name="StreamParts">With key ranges on streams of their own, each range's part of a float32 result leaves as soon as backward has made it (<see cref="DataPlane.StreamedResult"/>).</param>
public sealed record WorkerNodeSettings(TimeSpan RegistrationTimeout, TimeSpan RegistrationRetry, TimeSpan ConnectTimeout, int ConnectRetries,
    TimeSpan PrepareTimeout, TimeSpan OrphanTimeout, TimeSpan FreshJoinAfter, TimeSpan SimulatedComputePerRow = default, TimeSpan ComputeSpin = default, bool StreamParts = true)
{
    public const string Path = "disttrainer.worker";

    /// <summary>The values deploy/disttrainer.hocon ships: the command line's defaults.</summary>
    public static WorkerNodeSettings Default { get; } = Create(ClusterConfigBuilder.Embedded);

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static WorkerNodeSettings Create(Config config)
    {
        var section = ConfigSection.Of(config, Path);
        return new WorkerNodeSettings(section.Duration("registration-timeout"), section.Duration("registration-retry"),
            section.Duration("connect-timeout"), section.Count("connect-retries"), section.Duration("prepare-timeout"),
            section.Duration("orphan-timeout"), section.Duration("fresh-join-after"),
            TimeSpan.FromMicroseconds(section.Number("simulated-compute-per-row-us", minAboveZero: 0.001)),
            TimeSpan.FromMicroseconds(section.Number("compute-spin-us", minAboveZero: 0)), section.Switch("stream-parts"));
    }
}
