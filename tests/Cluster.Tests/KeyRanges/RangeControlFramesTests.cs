using System.Runtime.InteropServices;
using System.Text;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Tests.DataPlane;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Cluster.Tests.KeyRanges;

/// <summary>The range protocol over a real loopback stream, read back by <see cref="RangeControlReader"/>; and what it refuses to read.</summary>
public sealed class RangeControlFramesTests : IDisposable
{
    private readonly LoopbackServer _server = new();
    private readonly TensorConnection _client;
    private readonly ReceivingEnd _end;
    private readonly RangeControlReader _reader = new();

    public RangeControlFramesTests()
    {
        _client = _server.Connect(KeyRangeStreams.ControlPeerId(0));
        _end = _server.NextConnection();
    }

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
    }

    private T RoundTrip<T>(T message) where T : class
    {
        Assert.True(RangeControlFrames.Send(_client, message));
        while (true)
            if (_reader.Read(_end.NextFrame()) is { } read)
            {
                Assert.Equal(message.GetType(), read.GetType());
                return (T)read;
            }
    }

    [Fact]
    public void Every_message_without_buffers_comes_back_equal_an_infinite_sum_of_squares_included()
    {
        object[] messages =
        [
            new BeginRangeStep(41, 2, 8), new CommitRange(41), new DiscardRange(41), new CloseRangeStream("w1"),
            new RangeStreamLost(1, "w3", "reset by peer"), new AdmitToRange("w1", "0123ABCD"), new DropFromRange("w1"),
        ];
        foreach (var message in messages) Assert.Equal(message, RoundTrip(message));
        StreamTraffic[] streams = [new("w1", 1, new DataPlaneTraffic(10, 20)), new(null, 1, new DataPlaneTraffic(30, 40))];
        var stepped = RoundTrip(new RangeStepped(1, 41, Finite: false, Refusal: "the optimizer state exp_avg_sq", streams));
        Assert.Equal((1, 41L, false, "the optimizer state exp_avg_sq"), (stepped.Range, stepped.Step, stepped.Finite, stepped.Refusal));
        Assert.Equal(streams, stepped.Streams);
        PartIn[] parts =
        [
            new("w2", new PartReport(PieceState.Held, 41, 2, 5, 1, float.PositiveInfinity, Finite: true)),
            new("w2", new PartReport(PieceState.Malformed, 41, 2, 5, 1, Reason: "its part 1 carries 4 floats")),
        ];
        Assert.Equal(parts, RoundTrip(new PartsIn(parts)).Parts);
        Assert.IsType<GatherRange>(RoundTrip(GatherRange.Instance));
        Assert.IsType<RangeRunEnded>(RoundTrip(RangeRunEnded.Instance));
        Assert.Equal(["w1", "w2", "w1"], RoundTrip(new SumAndStepRange(41, 2, ["w1", "w2", "w1"], Observed: true)).Senders);
    }

    [Fact]
    public void A_range_handed_over_gathered_or_observed_brings_its_buffers_bit_for_bit()
    {
        float[] weights = [1.5f, -0f, float.Epsilon, 3e38f], avg = [0.25f, 0, 0, 1], avgSq = [9, 8, 7, 6];
        var settings = new OptimizerSettings("adam", 0.01f, WeightDecay: 0.1f);

        var host = RoundTrip(new HostRange(1, 12, 4, settings, 77, weights, [avg, avgSq]));
        var gathered = RoundTrip(new RangeGathered(1, 78, weights, [avg, avgSq]));
        var observed = RoundTrip(new RangeStepped(1, 78, true, null, [], Gradient: avg, Weights: weights));
        var gradientOnly = RoundTrip(new RangeStepped(1, 78, true, "the weights", [], Gradient: avgSq));

        Assert.Equal((1, 12, 4, settings, 77L), (host.Range, host.Offset, host.Length, host.Optimizer, host.StepCount));
        Assert.Equal(Bits(weights), Bits(host.Weights));
        Assert.Equal([Bits(avg), Bits(avgSq)], host.State.Select(Bits));
        Assert.Equal(78L, gathered.Version);
        Assert.Equal(Bits(weights), Bits(gathered.Weights));
        Assert.Equal([Bits(avg), Bits(avgSq)], gathered.State.Select(Bits));
        Assert.Equal(Bits(avg), Bits(observed.Gradient!));
        Assert.Equal(Bits(weights), Bits(observed.Weights!));
        Assert.Equal(Bits(avgSq), Bits(gradientOnly.Gradient!));
        Assert.Equal((null, "the weights"), (gradientOnly.Weights, gradientOnly.Refusal));
    }

    [Theory]
    [InlineData("Shutdown\n{}", "a range control frame names no message of the range protocol ('Shutdown')")]
    [InlineData("CommitRange", "a range control frame names no message of the range protocol ('CommitRange')")]
    [InlineData("CommitRange\n{\"Step\":\"soon\"}", "a range control frame's CommitRange does not parse")]
    public void A_control_frame_naming_another_type_or_fields_that_do_not_parse_is_a_protocol_error(string text, string error)
    {
        var e = Assert.Throws<FrameProtocolException>(() => _reader.Read(Control(text, buffers: 0)));
        Assert.StartsWith(error, e.Message);
    }

    [Fact]
    public void Buffers_out_of_their_announced_order_or_not_announced_are_protocol_errors()
    {
        Assert.Equal("a RangeState frame where a range control frame was due",
            Assert.Throws<FrameProtocolException>(() => _reader.Read(State(0, 1))).Message);
        Assert.Null(_reader.Read(Control("RangeGathered\n{\"Range\":0,\"Version\":3,\"Weights\":[],\"State\":[]}", buffers: 2)));
        Assert.Equal("a RangeState frame (buffer 1 of 2) where buffer 0 of 2 of a RangeGathered was due",
            Assert.Throws<FrameProtocolException>(() => _reader.Read(State(1, 2))).Message);
        Assert.Equal("a range control frame's CommitRange announced 1 buffers it does not carry",
            Assert.Throws<FrameProtocolException>(() =>
            {
                var reader = new RangeControlReader();
                reader.Read(Control("CommitRange\n{\"Step\":1}", buffers: 1));
                return reader.Read(State(0, 1));
            }).Message);
    }

    private static ReceivedFrame Control(string text, int buffers)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var payload = new float[(bytes.Length + 3) / 4];
        bytes.CopyTo(MemoryMarshal.AsBytes(payload.AsSpan()));
        return new ReceivedFrame(new FrameHeader(FrameKind.RangeControl, SampleCount: buffers, PayloadBytes: bytes.Length), payload);
    }

    private static ReceivedFrame State(int index, int count) =>
        new(new FrameHeader(FrameKind.RangeState, ShardId: index, SampleCount: count, PayloadBytes: 8), new float[2]);

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
