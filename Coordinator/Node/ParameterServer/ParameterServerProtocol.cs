using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer;

// Messages between the coordinator and the parameter server. Both live on the coordinator node,
// so these never cross the network and are not serialized.

/// <summary>Lets a registered worker's data-plane stream in, when it presents <paramref name="StreamToken"/>; any other peer is refused.</summary>
public sealed record AdmitWorker(string WorkerId, string StreamToken) : INoSerializationVerificationNeeded;

/// <summary>
/// Lets a standby coordinator's data-plane stream in, when its Hello names <paramref name="Node"/> and presents
/// <paramref name="StreamToken"/>: it takes no part in the steps and receives each periodic checkpoint.
/// </summary>
public sealed record AdmitStandby(string Node, string StreamToken) : INoSerializationVerificationNeeded;

/// <summary>
/// Aggregate attempt <paramref name="Attempt"/> of step <paramref name="Step"/>, cut into these shards; shard i is
/// taken only from worker <paramref name="AssignedTo"/>[i] (or one it is reassigned to). With <paramref name="EndsEpoch"/>,
/// the test set is scored with the step's weights as soon as it is applied (<see cref="ModelEvaluated"/> follows its
/// <see cref="StepApplied"/>): a step sent ahead may be applied before an evaluation asked for later would arrive.
/// </summary>
public sealed record BeginStep(long Step, int Attempt, Shard[] Shards, string[] AssignedTo, bool EndsEpoch = false)
    : INoSerializationVerificationNeeded;

/// <summary>A shard of the step's attempt went to another worker too: its result is taken from that worker as well.</summary>
public sealed record ShardReassigned(long Step, int Attempt, int ShardId, string WorkerId) : INoSerializationVerificationNeeded;

/// <summary>
/// The coordinator lost the worker (unreachable, left, withdrew): its data-plane stream is closed at once and
/// the worker must register again to come back, so that nothing queues for a peer that is not there.
/// </summary>
public sealed record DropWorker(string WorkerId, string Reason) : INoSerializationVerificationNeeded;

public sealed record WorkerConnected(string WorkerId) : INoSerializationVerificationNeeded;

public sealed record WorkerDisconnected(string WorkerId, string Reason) : INoSerializationVerificationNeeded;

public sealed record ShardArrived(long Step, int Attempt, int ShardId, string WorkerId, int Rows, double ComputeSeconds)
    : INoSerializationVerificationNeeded;

/// <summary>
/// A shard result was dropped: <paramref name="Verdict"/> says whether as malformed (Rejected), as holding NaN/Inf
/// (NotFinite), or as an outlier among the step's shards after it had arrived (Outlier).
/// </summary>
public sealed record ShardRejected(long Step, int Attempt, int ShardId, string WorkerId, string Reason, ShardVerdict Verdict)
    : INoSerializationVerificationNeeded
{
    public bool NotFinite => Verdict == ShardVerdict.NotFinite;
}

/// <summary>
/// A result of <paramref name="WorkerId"/>'s that was judged an outlier in <paramref name="Step"/> proved wrong: another
/// worker's result for the same shard, taken for the step, differs. Sent before the step's <see cref="StepApplied"/>.
/// </summary>
public sealed record WrongGradient(long Step, string WorkerId) : INoSerializationVerificationNeeded;

/// <summary>
/// Every shard was in: the optimizer stepped, the weights of <paramref name="Version"/> went out. <paramref name="ShardSenders"/>:
/// the worker whose result was taken for each shard, in shard order. <paramref name="Streams"/>: the bytes of every data-plane
/// stream of the run so far, by its ends.
/// </summary>
public sealed record StepApplied(long Step, long Version, BatchOutcome Outcome, AggregationCounts Counts, IReadOnlyList<StreamTraffic> Streams,
    ServerTimes Times, IReadOnlyList<string> ShardSenders)
    : INoSerializationVerificationNeeded;

/// <summary>The summed gradient was not finite: nothing was applied.</summary>
public sealed record StepFailed(long Step, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// Results the parameter server dropped, over the whole run: duplicates, late ones, rejected ones (malformed,
/// NaN/Inf or outliers), and those from a worker their shard was not assigned to.
/// </summary>
public readonly record struct AggregationCounts(long Duplicates, long Late, long Rejected, long Unassigned = 0);

/// <summary>The run is over: workers that now drop their data-plane stream are leaving, not lost.</summary>
public sealed record RunEnded : INoSerializationVerificationNeeded
{
    public static readonly RunEnded Instance = new();
}

/// <summary>
/// Where the parameter server's side of one step went. Exchange: from the step's weights going out (or
/// its plan beginning, whichever is later) to its last shard result being in: the slowest shard's
/// compute, both transfers and its worker's hand-offs. Apply: summing, the optimizer step, the batch-norm
/// fold, publishing the weights (and copying the state a checkpoint due saves; the write is elsewhere). Both on the parameter server's clock.
/// </summary>
public readonly record struct ServerTimes(double ExchangeSeconds, double ApplySeconds);

public sealed record EvaluateModel : INoSerializationVerificationNeeded
{
    public static readonly EvaluateModel Instance = new();
}

/// <summary>The test set's summed loss and correct count with the current weights and running statistics (null: no test set).</summary>
public sealed record ModelEvaluated(BatchOutcome? Test) : INoSerializationVerificationNeeded;

/// <summary>Write a checkpoint now (after the one being written, if any); answered with <see cref="CheckpointSaved"/>.</summary>
public sealed record SaveCheckpoint(string Path) : INoSerializationVerificationNeeded;

/// <param name="RunFailed">
/// <paramref name="Error"/> is a periodic checkpoint's, which ended the run while this one waited for it: nothing was written.
/// </param>
public sealed record CheckpointSaved(string Path, long Step, string? Error, bool RunFailed = false) : INoSerializationVerificationNeeded;

/// <summary>The key ranges are placed (--ps-placement workers): where each one's server is, with its master token, in range order.</summary>
public sealed record PlaceRanges(IReadOnlyList<Cluster.KeyRanges.RangeEndpoint> Servers) : INoSerializationVerificationNeeded;

/// <summary>
/// Key range <paramref name="Range"/>'s server was lost (its stream closed, or never opened): the run must stop,
/// <paramref name="Reason"/> says why; the parameter server takes no more steps.
/// </summary>
public sealed record RangeFailed(int Range, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// The parameter server failed (an error in one of its handlers, <paramref name="Reason"/>): its weights and optimizer state can no
/// longer be trusted, it stops, and the run ends with nothing written from it.
/// </summary>
public sealed record ParameterServerFailed(string Reason) : INoSerializationVerificationNeeded;

/// <summary>The periodic checkpoint could not be written, retries included: the run must stop (<paramref name="Reason"/> says why).</summary>
public sealed record CheckpointFailed(long Step, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// Writes the current weights and running statistics into the evaluation model (the one the parameter
/// server was given), so that its owner can read the final model once the node has stopped.
/// </summary>
public sealed record ExportModel : INoSerializationVerificationNeeded
{
    public static readonly ExportModel Instance = new();
}

public sealed record ModelExported(long Step) : INoSerializationVerificationNeeded;
