using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Synchronised batch norm on the parameter server's side of the data plane: each statistics frame a
/// shard sends goes into the reducer, and every peer that must hear back gets its answer frame: the
/// reduction once all shards offered, or an abandon (rows -1) for a stale or malformed offer and, when a
/// new attempt begins, for every peer still waiting on the old one (a blocked worker must never hang).
/// Generic over the peer so that it is tested without sockets: <paramref name="send"/> writes one frame.
/// </summary>
public sealed class BatchNormReduction<TPeer>(IReadOnlyList<int> widths, Action<TPeer, FrameHeader, ReadOnlyMemory<float>> send,
    ILogger log)
{
    private readonly BatchStatisticsReducer<TPeer> _reducer = new(widths);

    /// <summary>Starts a step (or a new attempt of it), telling peers still waiting on the previous one to abandon it.</summary>
    public void Begin(long step, int attempt, IReadOnlyList<Shard> shards)
    {
        var abandon = new FrameHeader(FrameKind.MomentsReduced, _reducer.Step, SampleCount: -1, Attempt: _reducer.Attempt);
        foreach (var waiting in _reducer.Begin(step, attempt, shards))
            send(waiting, abandon, ReadOnlyMemory<float>.Empty);
    }

    /// <summary>Takes one shard's statistics for one layer from <paramref name="from"/> (worker <paramref name="worker"/>).</summary>
    public void Offer(StatisticsKind kind, TPeer from, string? worker, FrameHeader header, float[] payload)
    {
        ReductionOffer offer;
        IReadOnlyList<TPeer> answer;
        try
        {
            offer = _reducer.Offer(kind, header.Step, header.Attempt, header.ShardId, header.Layer, header.SampleCount, payload, from, out answer);
        }
        catch (ArgumentException e)
        {
            log.Warning("Step {Step}: bad batch-norm statistics from worker {Worker}: {Reason}", header.Step + 1, worker, e.Message);
            offer = ReductionOffer.Stale();
            answer = [from];
        }
        if (offer.State == ReductionState.Pending) return;
        var answerKind = kind == StatisticsKind.Moments ? FrameKind.MomentsReduced : FrameKind.GradientSumsReduced;
        var reply = new FrameHeader(answerKind, header.Step, Layer: header.Layer,
            SampleCount: offer.State == ReductionState.Reduced ? offer.Rows : -1, Attempt: header.Attempt);
        foreach (var peer in answer)
            send(peer, reply, offer.Values ?? ReadOnlyMemory<float>.Empty);
    }
}
