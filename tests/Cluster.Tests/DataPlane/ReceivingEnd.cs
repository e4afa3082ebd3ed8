using System.Collections.Concurrent;
using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>Starts a connection and records what its handlers see, with bounded waits so a broken test fails instead of hanging.</summary>
internal sealed class ReceivingEnd
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly BlockingCollection<ReceivedFrame> frames = new();
    private readonly TaskCompletionSource<ConnectionClosed> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int closedCount;

    public ReceivingEnd(TensorConnection connection)
    {
        Connection = connection;
        connection.Start((_, frame) => frames.Add(frame), (_, reason) =>
        {
            Interlocked.Increment(ref closedCount);
            closed.TrySetResult(reason);
        });
    }

    public TensorConnection Connection { get; }

    public int ClosedCount => Volatile.Read(ref closedCount);

    /// <summary>Frames delivered to the handler and not yet taken by <see cref="NextFrame"/>.</summary>
    public int UntakenFrames => frames.Count;

    public ReceivedFrame NextFrame() =>
        frames.TryTake(out var frame, Wait) ? frame : throw new TimeoutException($"no frame within {Wait}");

    public ConnectionClosed WaitClosed() =>
        closed.Task.Wait(Wait) ? closed.Task.Result : throw new TimeoutException($"connection not closed within {Wait}");
}
