using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Security;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// The cluster side of `train` and `coordinator`: where this node binds and is reached, the seed
/// nodes (none: the embedded cluster on loopback), the data-plane port, TLS, the logical shards of a batch and how they are shared, batch-norm
/// mode, the gradients' wire dtype, the parameter server's key ranges, the largest ratio of a shard's gradient norm to its step's others (0: off), and the time limits of the protocol (by default those of deploy/disttrainer.hocon, see <see cref="CoordinatorNodeSettings"/>).
/// </summary>
public sealed record ClusterOptions
{
    public string? Hostname { get; init; }
    public int? Port { get; init; }
    public string? PublicHostname { get; init; }
    public IReadOnlyList<string>? SeedNodes { get; init; }
    public int? DataPlanePort { get; init; }
    public bool SynchronisedBatchNorm { get; init; }
    /// <summary>The format workers send gradients in; fp32 (the default) is exact, the 16-bit ones round with error feedback.</summary>
    public WireDtype WireDtype { get; init; } = WireDtype.Fp32;
    /// <summary>
    /// Whether workers in this process (the embedded cluster) hand their frames to the parameter server in memory (the
    /// default) or through loopback TCP, as separate processes do; the result is the same either way.
    /// </summary>
    public bool DataPlaneInMemory { get; init; } = true;
    public ShardSizing Sizing { get; init; } = ShardSizing.Throughput;
    public TimeSpan ShardDeadline { get; init; } = CoordinatorNodeSettings.Default.ShardDeadline;
    public TimeSpan WorkerTimeout { get; init; } = CoordinatorNodeSettings.Default.WorkerTimeout;
    public int? ExpectWorkers { get; init; }
    /// <summary>The logical shards every batch is cut into, whoever computes them (null: as many as the workers the run expects).</summary>
    public int? Shards { get; init; }
    public double MaxShardNormRatio { get; init; } = CoordinatorNodeSettings.Default.MaxShardNormRatio;
    /// <summary>The key ranges the parameter server's vector is cut into, all in the coordinator's node; results do not depend on it.</summary>
    public int PsShards { get; init; } = 1;
    /// <summary>Where the key ranges' servers run: in the coordinator's node, or one range on each of the first workers' nodes.</summary>
    public KeyRangePlacement PsPlacement { get; init; } = KeyRangePlacement.Coordinator;
    /// <summary>
    /// The nodes placed key ranges are spread over, range r on the (r mod this)-th (null: one range a node, as many of the
    /// workers' nodes the run expects as there are ranges, or one ps node per range).
    /// </summary>
    public int? PsNodes { get; init; }
    /// <summary>TLS on both planes, or leave to run in clear off loopback; embedded workers use the same.</summary>
    public NodeSecurity Security { get; init; } = NodeSecurity.Plaintext;
    /// <summary>
    /// The other coordinators' addresses a first coordinator that founded the cluster keeps asking until its first step: one
    /// that answers trains the run (a standby took it over), and this run then ends without a step (`coordinator` sets them).
    /// </summary>
    public IReadOnlyList<string> OtherCoordinators { get; init; } = [];

    public const string DataPlanePortVariable = "DISTTRAINER_DATA_PLANE_PORT";

    /// <summary>This node's cluster options; an embedded cluster's is on loopback, any port, unless told otherwise.</summary>
    public ClusterNodeOptions Node(bool embedded) =>
        new(Hostname ?? (embedded ? "127.0.0.1" : null), Port ?? (embedded ? 0 : null), PublicHostname, SeedNodes, Tls: Security.Tls,
            Insecure: Security.Insecure);
}
