using DistTrainer.Core.Data;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Cluster.Protocol;

/// <summary>The wire protocol's version: a node of another version is refused at registration.</summary>
public static class ProtocolVersion
{
    public const int Current = 10;

    /// <summary>Why a node that speaks <paramref name="version"/> is refused, or null when it speaks this one.</summary>
    public static string? Refusal(int version) => version == Current ? null : $"protocol version {version}; the coordinator speaks {Current}";
}

/// <summary>
/// A worker asks to take part. <paramref name="ExpectedLayers"/> is the model spec the worker was
/// started with, if any: a worker that expects another model than the coordinator trains is refused.
/// <paramref name="RangeHostPort"/>: where its node serves key ranges (on its node's host), if the coordinator places them
/// there (--ps-placement workers or ps-nodes); 0: it serves none. <paramref name="RangesOnly"/>: a node of role ps, which
/// serves key ranges and computes no shards.
/// </summary>
public sealed record RegisterWorker(string WorkerId, int ProtocolVersion, string? ExpectedLayers, string Node, string Backend,
    int RangeHostPort = 0, bool RangesOnly = false) : IProtocolMessage;

/// <summary>
/// What every worker needs to compute shards of this run: the model, the loss, the data it reads
/// from its own disk (checked by its fingerprint), the dropout seed and batch-norm mode, and where
/// the parameter server's tensor data plane listens. <paramref name="TrainSamples"/>, when set, cuts
/// the training set to its first samples, on every node alike. <paramref name="WireDtype"/> is the format a
/// worker sends its gradients in (the run's --wire-dtype), so workers need no option of their own.
/// <paramref name="ConcurrentShards"/> is how many shards of one step a worker may have to compute at the same time:
/// with synchronised batch norm, the step's logical shards (they wait on each other's statistics); otherwise 1.
/// <paramref name="KeyRangeCuts"/>, when the parameters are cut into key ranges (--ps-shards above 1), are the K + 1 offsets
/// that bound them: a worker then sends each result as a head and one part per range, each range on a stream of its own
/// (KeyRangeStreams), to that range's server at <paramref name="KeyRangeServers"/>[r], and puts each version of the weights
/// together from its ranges. Null: one stream, whole results.
/// </summary>
public sealed record TrainingJob(
    string Layers,
    string Loss,
    string? Dataset,
    string? DataDir,
    DatasetFingerprint Data,
    ulong Seed,
    bool SynchronisedBatchNorm,
    int MaxShardRows,
    string DataPlaneHost,
    int DataPlanePort,
    double ExchangeTimeoutSeconds,
    int? TrainSamples = null,
    WireDtype WireDtype = WireDtype.Fp32,
    int ConcurrentShards = 1,
    int[]? KeyRangeCuts = null,
    KeyRangeServer[]? KeyRangeServers = null) : IProtocolMessage;

/// <summary>Where a key range's server takes the workers' streams of that range.</summary>
public sealed record KeyRangeServer(string Host, int Port);

/// <summary>
/// The worker may take part. <paramref name="StreamToken"/> is a secret of this registration alone: the worker's
/// data-plane Hello must carry it, so no one else can open a stream in its name. <paramref name="HostedRanges"/>: the key
/// ranges its node serves for this run, each with the token the parameter server's stream to it presents.
/// </summary>
public sealed record WorkerAccepted(string WorkerId, TrainingJob Job, string StreamToken, HostedRange[]? HostedRanges = null)
    : IProtocolMessage;

/// <summary>A key range a worker's node serves, and the secret the parameter server's stream to that range presents.</summary>
public sealed record HostedRange(int Range, string MasterToken);

public sealed record WorkerRefused(string WorkerId, string Reason) : IProtocolMessage;

/// <summary>A worker that was accepted but cannot take part (its data differs, its data plane cannot connect) says why and leaves.</summary>
public sealed record WorkerWithdrew(string WorkerId, string Reason) : IProtocolMessage;

/// <summary>The run is over (finished, failed or interrupted): workers leave the cluster.</summary>
public sealed record TrainingFinished(string Outcome) : IProtocolMessage;
