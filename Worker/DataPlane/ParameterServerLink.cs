using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using DistTrainer.Worker.Hosting;

namespace DistTrainer.Worker.DataPlane;

/// <summary>
/// A worker's data-plane streams to the parameter server: weights come in and go straight to the
/// worker's shard queue (from the reader thread, without a hop through the actor), batch-norm reductions go to the compute threads
/// waiting in <see cref="Exchanges"/> (one per compute lane: the parameter server answers a worker once per reduction, however many of
/// its shards offered to it), shard results go out. With the parameters cut into key ranges (the job's cuts), there is one
/// stream per range besides the main one (<see cref="KeyRangeStreams"/>): a result goes out as its head on the main stream
/// and one gradient part per range on that range's, and each version of the weights is put together from its ranges
/// (<see cref="WeightsAssembler"/>). Closing any stream (either side, or a damaged frame) tells the worker actor.
/// </summary>
public sealed class ParameterServerLink : IDisposable
{
    private readonly TensorConnection _connection;
    private readonly TensorConnection[] _ranges;
    private readonly int[] _cuts;
    private readonly IActorRef _worker;
    private readonly Action<WeightsArrived> _weights;
    private readonly WeightsAssembler? _assembler;

    private ParameterServerLink(TensorConnection connection, TensorConnection[] ranges, int[] cuts, IActorRef worker,
        Action<WeightsArrived> weights, TimeSpan exchangeTimeout, int lanes, PayloadPool payloads)
    {
        _connection = connection;
        _ranges = ranges;
        _cuts = cuts;
        _worker = worker;
        _weights = weights;
        _assembler = ranges.Length > 0 ? new WeightsAssembler(cuts, payloads, weights) : null;
        Exchanges = [.. Enumerable.Range(0, lanes).Select(_ => new DataPlaneStatisticsExchange((header, payload) => _connection.Send(header, payload), exchangeTimeout))];
    }

    /// <summary>The batch-norm exchange of each compute lane.</summary>
    public IReadOnlyList<DataPlaneStatisticsExchange> Exchanges { get; }

    /// <summary>Every stream, the main one first, for their byte and frame counts.</summary>
    public IReadOnlyList<TensorConnection> Connections => [_connection, .. _ranges];

    /// <summary>
    /// Connects, each attempt bounded by the node's connect timeout and as many retries as it allows;
    /// throws <see cref="IOException"/> when every attempt failed. Each whole version of the weights goes to
    /// <paramref name="weights"/> on a reader thread, which owns its payload from then on; a closed or refused stream goes to
    /// <paramref name="worker"/>. <paramref name="lanes"/> batch-norm exchanges are made, one per compute lane. With
    /// <paramref name="keyRangeCuts"/>, one more stream per key range, to that range's server in <paramref name="keyRangeServers"/>.
    /// </summary>
    public static ParameterServerLink Connect(string host, int port, string workerId, string streamToken, IActorRef worker,
        Action<WeightsArrived> weights, TimeSpan exchangeTimeout, WorkerNodeSettings node, DataPlaneOptions dataPlane, int lanes = 1,
        int[]? keyRangeCuts = null, KeyRangeServer[]? keyRangeServers = null)
    {
        int ranges = keyRangeCuts is null ? 0 : keyRangeCuts.Length - 1;
        if (ranges > 0 && keyRangeServers?.Length != ranges)
            throw new IOException($"the job cuts the parameters into {ranges} key ranges but names {keyRangeServers?.Length ?? 0} servers for them");
        var opened = new List<TensorConnection>();
        try
        {
            opened.Add(TensorClient.Connect(host, port, workerId, node.ConnectTimeout, node.ConnectRetries, dataPlane, streamToken));
            for (int range = 0; range < ranges; range++)
                opened.Add(TensorClient.Connect(keyRangeServers![range].Host, keyRangeServers[range].Port, KeyRangeStreams.PeerId(workerId, range),
                    node.ConnectTimeout, node.ConnectRetries, dataPlane, streamToken));
        }
        catch
        {
            foreach (var connection in opened) connection.Dispose();
            throw;
        }
        var link = new ParameterServerLink(opened[0], [.. opened.Skip(1)], keyRangeCuts ?? [], worker, weights, exchangeTimeout, lanes,
            dataPlane.Payloads);
        foreach (var connection in opened)
            connection.Start(link.OnFrame, (_, closed) => worker.Tell(new LinkLost(closed.Message)));
        return link;
    }

    /// <summary>
    /// Writes a shard's result from the calling thread (the compute thread, which has nothing else to do meanwhile) or,
    /// behind other frames, queues it; the link owns the output's payload from the call on, and <paramref name="written"/>
    /// runs once the payload is free again, however the send ends. Throws when a stream is closed, so the shard is reported
    /// as failed, never lost silently. <paramref name="packing"/> says how a 16-bit wire dtype packed the output's payload
    /// (null: fp32), each key range's gradients on whole floats of their own when the parameters are cut into ranges.
    /// </summary>
    public void SendResult(ComputeShard shard, ShardOutput output, PackedShardPayload? packing, Action written)
    {
        if (StreamResult(shard, output.Payload, written, packing) is { } ranged)
        {
            ranged.Finish(output);
            return;
        }
        if (_connection.SendHere(Header(shard, output, packing?.Dtype ?? WireDtype.Fp32), output.Payload, written)) return;
        written();
        throw Closed(shard, _connection);
    }

    /// <summary>
    /// With the parameters cut into key ranges, a float32 result whose parts leave as backward makes them: each range's part
    /// goes out on its stream as soon as every gradient in it is final (the last range first) and travels while backward
    /// goes on, and the head and the parts left follow once the shard is done
    /// (<see cref="StreamedResult.Finish"/>). Null without key ranges: a result is then one frame, sent once it is whole.
    /// <paramref name="written"/> runs once the payload is free again, however the sends end. A result packed for a 16-bit
    /// wire (<paramref name="packing"/>) is whole already: it all goes out at <see cref="StreamedResult.Finish"/>.
    /// </summary>
    public StreamedResult? StreamResult(ComputeShard shard, float[] payload, Action written, PackedShardPayload? packing = null) =>
        _ranges.Length == 0 ? null : new StreamedResult(this, shard, payload, new PendingSends(_ranges.Length + 1, written), packing);

    internal int Ranges => _ranges.Length;

    internal int RangeStart(int range) => _cuts[range];

    internal static FrameHeader Header(ComputeShard shard, ShardOutput output, WireDtype dtype) =>
        new(GradientFrames.Kind(dtype), shard.Step, WeightsVersion: shard.Step, shard.ShardId, SampleCount: output.Outcome.Rows,
            Correct: output.Outcome.Correct, LossSum: output.Outcome.LossSum, ComputeSeconds: output.Seconds, Attempt: shard.Attempt);

    /// <summary>Sends a result's head; the main stream when it is closed (its share of the payload then counted as done).</summary>
    internal TensorConnection? SendHead(FrameHeader header, ReadOnlyMemory<float> tail, Action done)
    {
        if (_connection.SendHere(header with { Kind = FrameKind.ResultHead }, tail, done)) return null;
        done();
        return _connection;
    }

    /// <summary>
    /// Sends range <paramref name="range"/>'s part from the calling thread unless a stream already failed
    /// (<paramref name="failed"/>); the first stream that failed, its share of the payload counted as done.
    /// </summary>
    internal TensorConnection? SendPart(int range, FrameHeader header, ReadOnlyMemory<float> part, Action done, TensorConnection? failed)
    {
        var stream = _ranges[range];
        if (failed is null && stream.SendHere(header, part, done)) return null;
        done();
        return failed ?? stream;
    }

    internal static IOException Closed(ComputeShard shard, TensorConnection connection) =>
        new($"step {shard.Step + 1} shard {shard.ShardId}: the data plane to the parameter server is closed ({connection.CloseReason?.Message})");

    private void OnFrame(TensorConnection connection, ReceivedFrame frame)
    {
        switch (frame.Header.Kind)
        {
            case FrameKind.Weights when _assembler is null:
                _weights(new WeightsArrived(frame.Header.WeightsVersion, frame.Payload));
                break;
            case FrameKind.WeightsRange when _assembler is not null:
                _assembler.Offer(frame.Header.WeightsVersion, frame.Header.Layer, frame.Payload);
                break;
            case FrameKind.MomentsReduced or FrameKind.GradientSumsReduced:
                // Each lane takes it only if it waits on that step, attempt, kind and layer; the values are only read.
                foreach (var exchange in Exchanges) exchange.Deliver(frame.Header, frame.Payload);
                break;
            case FrameKind.Refused:
                _worker.Tell(new LinkLost($"the parameter server refused this worker: {frame.Text()}"));
                break;
            default:
                throw new FrameProtocolException(_assembler is null
                    ? $"a worker does not take {frame.Header.Kind} frames"
                    : $"a worker whose weights come in key ranges does not take {frame.Header.Kind} frames");
        }
    }

    public void Dispose()
    {
        _connection.Dispose();
        foreach (var range in _ranges) range.Dispose();
    }
}
