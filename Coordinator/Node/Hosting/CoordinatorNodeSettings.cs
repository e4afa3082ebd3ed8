using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Core.Checkpoints;

namespace DistTrainer.Coordinator.Hosting;

/// <summary>
/// The coordinator's time limits, checkpoint retries and defences against faulty workers: the disttrainer.coordinator
/// section of its node's configuration (deploy/disttrainer.hocon documents each value). The shard deadline, the worker
/// timeout and the shard norm ratio are the defaults of --shard-deadline, --worker-timeout and --max-shard-norm-ratio; a
/// run's own are in its cluster options. A run in one process (--workers 0) retries its checkpoints as this section says too.
/// </summary>
/// <param name="ShardDeadline">How long a shard may take before it is computed again elsewhere.</param>
/// <param name="WorkerTimeout">How long the coordinator waits for workers to be ready.</param>
/// <param name="WorkersLeaveTimeout">How long, at the end of a run, the coordinator waits for the worker nodes to leave first.</param>
/// <param name="SilentWorkerProbe">
/// How long a worker node may stay up after the run's end before it is asked whether it is there, and how long it has
/// to answer before it is downed.
/// </param>
/// <param name="ExportTimeout">Bounds handing the final weights to the run's model.</param>
/// <param name="SaveTimeout">Bounds writing the final checkpoint.</param>
/// <param name="CheckpointRetry">How often, and after what pause, a checkpoint that could not be written is tried again.</param>
/// <param name="MaxShardNormRatio">The largest ratio of a shard's gradient norm to its step's others (0: no such check).</param>
/// <param name="Quarantine">When a worker whose results keep being rejected gets no more shards.</param>
/// <param name="PsRangeTimeout">Bounds one key range's part of a step with --ps-shards above 1.</param>
/// <param name="PlansAhead">How many steps after the current one are planned and sent at once.</param>
/// <param name="PsRangeStreams">With --ps-shards above 1, whether each key range travels on a stream of its own.</param>
/// <param name="PsRangeConnectTimeout">Bounds one attempt to open the parameter server's stream to a key range's server.</param>
/// <param name="PsRangeRollbacks">How many times a run that lost a key range's server rolls back and goes on.</param>
public sealed record CoordinatorNodeSettings(
    TimeSpan ShardDeadline,
    TimeSpan WorkerTimeout,
    TimeSpan WorkersLeaveTimeout,
    TimeSpan SilentWorkerProbe,
    TimeSpan ExportTimeout,
    TimeSpan SaveTimeout,
    CheckpointRetry CheckpointRetry,
    double MaxShardNormRatio,
    QuarantinePolicy Quarantine,
    TimeSpan PsRangeTimeout,
    int PlansAhead,
    bool PsRangeStreams,
    TimeSpan PsRangeConnectTimeout,
    int PsRangeRollbacks)
{
    public const string Path = "disttrainer.coordinator";

    /// <summary>The values deploy/disttrainer.hocon ships: the command line's defaults.</summary>
    public static CoordinatorNodeSettings Default { get; } = Create(ClusterConfigBuilder.Embedded);

    /// <exception cref="ConfigurationException">the section or one of its values is missing or unusable</exception>
    public static CoordinatorNodeSettings Create(Config config)
    {
        var section = ConfigSection.Of(config, Path);
        return new CoordinatorNodeSettings(section.Duration("shard-deadline"), section.Duration("worker-timeout"),
            section.Duration("workers-leave-timeout"), section.Duration("silent-worker-probe"), section.Duration("export-timeout"), section.Duration("save-timeout"),
            new CheckpointRetry(section.Count("checkpoint-retries"), section.Duration("checkpoint-retry-delay")),
            section.Number("max-shard-norm-ratio", minAboveZero: 1),
            new QuarantinePolicy(section.Count("quarantine-after"), section.Count("quarantine-window")),
            section.Duration("ps-range-timeout"), section.Count("plans-ahead"), section.Switch("ps-range-streams"),
            section.Duration("ps-range-connect-timeout"), section.Count("ps-range-rollbacks"));
    }
}
