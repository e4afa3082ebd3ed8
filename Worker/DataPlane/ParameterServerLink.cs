using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Worker.Hosting;

namespace DistTrainer.Worker.DataPlane;

/// <summary>
/// A worker's data-plane stream to the parameter server: weights come in and go straight to the
/// worker's shard queue (from the reader thread, without a hop through the actor), batch-norm reductions go to the compute threads
/// waiting in <see cref="Exchanges"/> (one per compute lane: the parameter server answers a worker once per reduction, however many of
/// its shards offered to it), shard results go out. Closing (either side, or a damaged frame) tells the worker actor.
/// </summary>
public sealed class ParameterServerLink : IDisposable
{
    private readonly TensorConnection _connection;
    private readonly IActorRef _worker;
    private readonly Action<WeightsArrived> _weights;

    private ParameterServerLink(TensorConnection connection, IActorRef worker, Action<WeightsArrived> weights, TimeSpan exchangeTimeout, int lanes)
    {
        _connection = connection;
        _worker = worker;
        _weights = weights;
        Exchanges = [.. Enumerable.Range(0, lanes).Select(_ => new DataPlaneStatisticsExchange((header, payload) => _connection.Send(header, payload), exchangeTimeout))];
    }

    /// <summary>The batch-norm exchange of each compute lane.</summary>
    public IReadOnlyList<DataPlaneStatisticsExchange> Exchanges { get; }

    /// <summary>The stream itself, for its byte and frame counts.</summary>
    public TensorConnection Connection => _connection;

    /// <summary>
    /// Connects, each attempt bounded by the node's connect timeout and as many retries as it allows;
    /// throws <see cref="IOException"/> when every attempt failed. Each weights frame goes to <paramref name="weights"/>
    /// on the reader thread, which owns its payload from then on; a closed or refused stream goes to <paramref name="worker"/>.
    /// <paramref name="lanes"/> batch-norm exchanges are made, one per compute lane.
    /// </summary>
    public static ParameterServerLink Connect(string host, int port, string workerId, string streamToken, IActorRef worker,
        Action<WeightsArrived> weights, TimeSpan exchangeTimeout, WorkerNodeSettings node, DataPlaneOptions dataPlane, int lanes = 1)
    {
        var connection = TensorClient.Connect(host, port, workerId, node.ConnectTimeout, node.ConnectRetries, dataPlane, streamToken);
        var link = new ParameterServerLink(connection, worker, weights, exchangeTimeout, lanes);
        connection.Start(link.OnFrame, (_, closed) => worker.Tell(new LinkLost(closed.Message)));
        return link;
    }

    /// <summary>
    /// Writes a shard's result from the calling thread (the compute thread, which has nothing else to do meanwhile) or,
    /// behind other frames, queues it; <paramref name="written"/> runs once its payload is free again. Throws when the
    /// stream is closed (then <paramref name="written"/> never runs), so the shard is reported as failed, never lost silently.
    /// <paramref name="kind"/> says the wire dtype of the output's payload (<see cref="GradientFrames"/>).
    /// </summary>
    public void SendResult(ComputeShard shard, ShardOutput output, FrameKind kind, Action written)
    {
        var header = new FrameHeader(kind, shard.Step, WeightsVersion: shard.Step, shard.ShardId,
            SampleCount: output.Outcome.Rows, Correct: output.Outcome.Correct, LossSum: output.Outcome.LossSum,
            ComputeSeconds: output.Seconds, Attempt: shard.Attempt);
        if (!_connection.SendHere(header, output.Payload, written))
            throw new IOException($"step {shard.Step + 1} shard {shard.ShardId}: the data plane to the parameter server is closed " +
                                  $"({_connection.CloseReason?.Message})");
    }

    private void OnFrame(TensorConnection connection, ReceivedFrame frame)
    {
        switch (frame.Header.Kind)
        {
            case FrameKind.Weights:
                _weights(new WeightsArrived(frame.Header.WeightsVersion, frame.Payload));
                break;
            case FrameKind.MomentsReduced or FrameKind.GradientSumsReduced:
                // Each lane takes it only if it waits on that step, attempt, kind and layer; the values are only read.
                foreach (var exchange in Exchanges) exchange.Deliver(frame.Header, frame.Payload);
                break;
            case FrameKind.Refused:
                _worker.Tell(new LinkLost($"the parameter server refused this worker: {frame.Text()}"));
                break;
            default:
                throw new FrameProtocolException($"a worker does not take {frame.Header.Kind} frames");
        }
    }

    public void Dispose() => _connection.Dispose();
}
