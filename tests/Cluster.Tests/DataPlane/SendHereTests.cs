using DistTrainer.Cluster.DataPlane;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>A frame the calling thread writes itself, alone and between frames the writer thread sends.</summary>
public sealed class SendHereTests : IDisposable
{
    private readonly LoopbackServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public void A_frame_sent_here_with_nothing_queued_is_on_the_wire_and_its_memory_free_when_the_call_returns()
    {
        const int hello = FrameFormat.HeaderBytes + 8; // the Hello holds "worker-1"
        using var client = _server.Connect("worker-1");
        var serverEnd = _server.NextConnection();
        Assert.True(SpinWait.SpinUntil(() => client.BytesSent == hello, ReceivingEnd.Wait));
        var payload = Enumerable.Range(0, 300_000).Select(i => i * 0.5f).ToArray();
        bool written = false;

        Assert.True(client.SendHere(new FrameHeader(FrameKind.Gradients, Step: 3), payload, () => written = true));

        Assert.True(written);
        Assert.Equal(hello + FrameFormat.HeaderBytes + 4 * payload.Length, client.BytesSent);
        Assert.Equal(0, client.QueuedBytes);
        var frame = serverEnd.NextFrame();
        Assert.Equal(3, frame.Header.Step);
        Assert.Equal(payload, frame.Payload);
    }

    [Fact]
    public void Frames_sent_here_and_queued_from_several_threads_arrive_intact_and_in_per_thread_order()
    {
        const int threads = 4, framesPerThread = 200;
        using var client = _server.Connect("worker-1");
        var serverEnd = _server.NextConnection();

        var senders = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (int i = 0; i < framesPerThread; i++)
            {
                var header = new FrameHeader(FrameKind.Gradients, Step: i, ShardId: t);
                Assert.True(t % 2 == 0 ? client.SendHere(header, Tagged(t, i)) : client.Send(header, Tagged(t, i)));
            }
        })).ToList();
        senders.ForEach(s => s.Start());
        senders.ForEach(s => s.Join());

        serverEnd.AssertEachThreadInOrder(threads, framesPerThread, Tagged);
    }

    [Fact]
    public void Sending_here_on_a_closed_connection_reports_failure_and_never_calls_written()
    {
        var client = _server.Connect("worker-1");
        _server.NextConnection();
        client.Dispose();
        bool written = false;

        Assert.False(client.SendHere(new FrameHeader(FrameKind.Gradients), new float[4], () => written = true));

        Assert.False(written);
        Assert.Equal(CloseCause.Disposed, client.CloseReason!.Cause);
    }

    private static float[] Tagged(int thread, int index) => Enumerable.Range(0, 64).Select(k => thread * 1e6f + index * 100f + k).ToArray();
}
