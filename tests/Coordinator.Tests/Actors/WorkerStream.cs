using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.DataPlane;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>A worker's end of the data plane driven by hand: it sends exactly the shard results a test asks for.</summary>
internal sealed class WorkerStream : IDisposable
{
    /// <param name="token">The stream token of the worker's registration; null for a stream that has none.</param>
    public WorkerStream(TensorListener parameterServer, string workerId, string? token) =>
        End = new ReceivingEnd(TensorClient.Connect("127.0.0.1", parameterServer.Port, workerId, TimeSpan.FromSeconds(5), retries: 0,
            token: token));

    public ReceivingEnd End { get; }

    /// <summary>Sends a result of <paramref name="rows"/> rows for shard <paramref name="shardId"/> of (step, attempt), computed with the step's weights.</summary>
    public void SendResult(long step, int attempt, int shardId, int rows, float[] payload) =>
        End.Connection.Send(new FrameHeader(FrameKind.Gradients, step, step, shardId, SampleCount: rows, Correct: rows / 2,
            LossSum: 0.5 * rows, Attempt: attempt), payload);

    /// <summary>Answers an assignment as a worker would.</summary>
    public void Answer(ComputeShard shard, float[] payload) =>
        SendResult(shard.Step, shard.Attempt, shard.ShardId, shard.Indices.Length, payload);

    /// <summary>The next Weights frame (skipping nothing: any other kind fails the test).</summary>
    public ReceivedFrame NextWeights()
    {
        var frame = End.NextFrame();
        return frame.Header.Kind == FrameKind.Weights ? frame : throw new InvalidOperationException($"expected Weights, got {frame.Header.Kind}");
    }

    public void Dispose() => End.Connection.Dispose();
}
