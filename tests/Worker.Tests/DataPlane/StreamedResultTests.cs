using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.DataPlane;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Worker.DataPlane;
using DistTrainer.Worker.Hosting;
using Xunit;

namespace DistTrainer.Worker.Tests.DataPlane;

/// <summary>
/// A result on key range streams, driven as a shard's backward drives it, on a real link to listeners that stand for the
/// parameter server and two ranges' servers: ranges [0, 6) and [6, 10) of ten gradients, then two floats of statistics.
/// </summary>
public sealed class StreamedResultTests : IDisposable
{
    private static readonly ComputeShard Shard = new(Step: 4, Attempt: 1, ShardId: 2, RowOffset: 0, Indices: [], Normalizer: 3);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private readonly LoopbackServer _server = new(), _range0 = new(), _range1 = new();
    private readonly ParameterServerLink _link;
    private readonly ReceivingEnd _main, _part0, _part1;
    private readonly float[] _payload = [.. Enumerable.Range(0, 12).Select(i => i + 0.5f)];
    private readonly TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamedResultTests()
    {
        _link = ParameterServerLink.Connect("127.0.0.1", _server.Listener.Port, "w1", "token", ActorRefs.Nobody, _ => { }, TimeSpan.FromSeconds(5),
            WorkerNodeSettings.Default, new DataPlaneOptions(), keyRangeCuts: [0, 6, 10],
            keyRangeServers: [new KeyRangeServer("127.0.0.1", _range0.Listener.Port), new KeyRangeServer("127.0.0.1", _range1.Listener.Port)]);
        (_main, _part0, _part1) = (_server.NextConnection(), _range0.NextConnection(), _range1.NextConnection());
    }

    [Fact]
    public async Task A_range_leaves_once_all_its_gradients_are_final_and_the_head_and_the_rest_once_the_shard_is_done()
    {
        var streamed = _link.StreamResult(Shard, _payload, _freed.SetResult)!;

        streamed.GradientsFinal(8);
        Assert.Null(_part1.TryNextFrame(Quiet));
        streamed.GradientsFinal(6);
        AssertPart(_part1.NextFrame(), 1, 6, 4);
        Assert.Equal(1, streamed.HeldRanges);
        Assert.Null(_main.TryNextFrame(Quiet));
        Assert.Null(_part0.TryNextFrame(TimeSpan.Zero));
        Assert.False(_freed.Task.IsCompleted);

        streamed.Finish(new ShardOutput(new BatchOutcome(1.25, 2, 3), _payload, 0.01));

        var head = _main.NextFrame();
        Assert.Equal((FrameKind.ResultHead, 4L, 2, 1, 3, 2, 1.25), (head.Header.Kind, head.Header.Step, head.Header.ShardId, head.Header.Attempt,
            head.Header.SampleCount, head.Header.Correct, head.Header.LossSum));
        Assert.Equal([10.5f, 11.5f], Floats(head));
        AssertPart(_part0.NextFrame(), 0, 0, 6);
        Assert.True(await Freed(), "the payload was not freed once every send ended");
        Assert.Null(_part1.TryNextFrame(Quiet));
    }

    [Fact]
    public async Task A_shard_that_fails_sends_nothing_more_and_frees_its_payload_once_the_parts_already_queued_are_written()
    {
        var streamed = _link.StreamResult(Shard, _payload, _freed.SetResult)!;
        streamed.GradientsFinal(6);

        streamed.Abandon();
        streamed.Abandon();

        AssertPart(_part1.NextFrame(), 1, 6, 4);
        Assert.True(await Freed(), "the payload was not freed");
        Assert.Null(_main.TryNextFrame(Quiet));
        Assert.Null(_part0.TryNextFrame(TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(() => streamed.Finish(new ShardOutput(default, _payload, 0)));
    }

    [Fact]
    public async Task A_closed_range_stream_fails_the_shard_with_the_reason_and_still_frees_the_payload()
    {
        var streamed = _link.StreamResult(Shard, _payload, _freed.SetResult)!;
        _part0.Connection.Dispose();
        Assert.True(await Poll.Eventually(() => _link.Connections[1].CloseReason is not null, ReceivingEnd.Wait),
            "the worker's end of range 0's stream did not close");

        var error = Assert.Throws<IOException>(() => streamed.Finish(new ShardOutput(new BatchOutcome(1, 1, 1), _payload, 0)));

        Assert.Contains("step 5 shard 2: the data plane to the parameter server is closed", error.Message);
        Assert.True(await Freed(), "the payload was not freed");
    }

    private async Task<bool> Freed() => await Task.WhenAny(_freed.Task, Task.Delay(ReceivingEnd.Wait)) == _freed.Task;

    private static void AssertPart(ReceivedFrame frame, int range, int start, int length)
    {
        Assert.Equal((FrameKind.GradientPart, 4L, 2, 1, range), (frame.Header.Kind, frame.Header.Step, frame.Header.ShardId, frame.Header.Attempt,
            frame.Header.Layer));
        Assert.Equal(Enumerable.Range(start, length).Select(i => i + 0.5f), Floats(frame));
    }

    private static float[] Floats(ReceivedFrame frame) => frame.Payload.AsSpan(0, frame.Header.PayloadBytes / sizeof(float)).ToArray();

    public void Dispose()
    {
        _link.Dispose();
        _server.Dispose();
        _range0.Dispose();
        _range1.Dispose();
    }
}
