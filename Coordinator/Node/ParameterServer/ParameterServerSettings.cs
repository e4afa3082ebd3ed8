using DistTrainer.Cluster.Metrics;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The run's checkpoint (null: none) and how a failed write of it is retried (the node's configuration sets
/// <see cref="Retry"/>), who, if anyone, sees each applied step's summed gradient, which metrics, if any, time each
/// checkpoint, and the largest ratio of a shard's gradient norm to its step's others
/// (<see cref="Core.Training.Sharding.ShardNormRule"/>; 0: off, as here by default; `train` turns it on).
/// </summary>
public sealed record ParameterServerSettings(CheckpointPlan? Checkpoints, IGradientObserver? Gradients = null,
    RunMetrics? Metrics = null, double MaxShardNormRatio = 0)
{
    public CheckpointRetry Retry { get; init; } = CheckpointRetry.None;

    /// <summary>The key ranges the parameters are cut into, each stepped on a thread of its own (--ps-shards).</summary>
    public int Shards { get; init; } = 1;

    /// <summary>
    /// Whether each key range travels on a stream of its own (a result as a head and a part per range, the weights range by
    /// range), as ranges on other nodes need; false: whole results on one stream per worker. Only with <see cref="Shards"/> above 1.
    /// </summary>
    public bool RangeStreams { get; init; }

    /// <summary>
    /// Where each key range's server listens, with <see cref="RangeStreams"/>: the parameter server hands each range to its
    /// server there and drives it over a data-plane stream. One per range, in range order.
    /// </summary>
    public IReadOnlyList<Cluster.KeyRanges.RangeEndpoint> RangeHosts { get; init; } = [];

    /// <summary>
    /// Whether the ranges' servers are on other nodes (--ps-placement workers or ps-nodes): the parameter server then learns where
    /// once the coordinator has placed them (<see cref="PlaceRanges"/>) instead of from <see cref="RangeHosts"/>.
    /// </summary>
    public bool RangesOnOtherNodes { get; init; }

    /// <summary>How long opening the stream to a key range's server may take, each of its attempts (the node's configuration sets it).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one range of a step may take (the node's configuration sets it); past it the parameter server stops.</summary>
    public TimeSpan RangeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many steps after the one being aggregated the coordinator plans ahead (the node's configuration sets it).</summary>
    public int PlansAhead { get; init; } = 1;

    /// <summary>Told, when the parameter server stops, which step's state it left in the run's model; null: nobody asks.</summary>
    public ServerStateAtStop? StateAtStop { get; init; }
}
