using DistTrainer.Coordinator.Actors;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// The cluster side of `train` and `coordinator`: where this node binds and is reached, the seed
/// nodes (none: the embedded cluster on loopback), the data-plane port, how shards are cut, batch-norm
/// mode, and the time limits of the protocol.
/// </summary>
public sealed record ClusterOptions
{
    public string? Hostname { get; init; }
    public int? Port { get; init; }
    public string? PublicHostname { get; init; }
    public IReadOnlyList<string>? SeedNodes { get; init; }
    public int? DataPlanePort { get; init; }
    public bool SynchronisedBatchNorm { get; init; }
    public ShardSizing Sizing { get; init; } = ShardSizing.Throughput;
    public TimeSpan ShardDeadline { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int? ExpectWorkers { get; init; }

    public const string DataPlanePortVariable = "DISTTRAINER_DATA_PLANE_PORT";
}
