using System.Collections.Concurrent;
using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>Starts a connection and records what its handlers see, with bounded waits so a broken test fails instead of hanging.</summary>
internal sealed class ReceivingEnd
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly BlockingCollection<ReceivedFrame> _frames = new();
    private readonly TaskCompletionSource<ConnectionClosed> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closedCount;

    public ReceivingEnd(TensorConnection connection)
    {
        Connection = connection;
        connection.Start((_, frame) => _frames.Add(frame), (_, reason) =>
        {
            Interlocked.Increment(ref _closedCount);
            _closed.TrySetResult(reason);
        });
    }

    public TensorConnection Connection { get; }

    public int ClosedCount => Volatile.Read(ref _closedCount);

    /// <summary>Frames delivered to the handler and not yet taken by <see cref="NextFrame"/>.</summary>
    public int UntakenFrames => _frames.Count;

    public ReceivedFrame NextFrame() =>
        _frames.TryTake(out var frame, Wait) ? frame : throw new TimeoutException($"no frame within {Wait}");

    /// <summary>The next frame delivered within <paramref name="wait"/>, or null.</summary>
    public ReceivedFrame? TryNextFrame(TimeSpan wait) => _frames.TryTake(out var frame, wait) ? frame : null;

    public ConnectionClosed WaitClosed() =>
        _closed.Task.Wait(Wait) ? _closed.Task.Result : throw new TimeoutException($"connection not closed within {Wait}");

    /// <summary>
    /// Takes the frames of <paramref name="threads"/> concurrent senders, each of which sent <paramref name="framesPerThread"/>
    /// frames with its thread in the shard id and its count in the step: each thread's frames arrive whole and in its order.
    /// </summary>
    public void AssertEachThreadInOrder(int threads, int framesPerThread, Func<int, int, float[]> payloadOf)
    {
        var nextStep = new int[threads];
        for (int n = 0; n < threads * framesPerThread; n++)
        {
            var frame = NextFrame();
            int t = frame.Header.ShardId;
            Assert.Equal(nextStep[t], frame.Header.Step);
            Assert.Equal(payloadOf(t, nextStep[t]), frame.Payload);
            nextStep[t]++;
        }
        Assert.All(nextStep, count => Assert.Equal(framesPerThread, count));
    }
}
