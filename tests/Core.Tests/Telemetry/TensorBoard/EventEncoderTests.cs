using DistTrainer.Core.Telemetry.TensorBoard;
using Xunit;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

public sealed class EventEncoderTests
{
    [Fact]
    public void A_scalar_event_has_the_bytes_of_tensorflow_s_event_proto()
    {
        byte[] bytes = EventEncoder.Summary(1.5, 3, [SummaryValue.Of("a", 2.0)]);

        // wall_time (field 1, 64-bit) 1.5, step (2, varint) 3, summary (5) { value (1) { tag (1) "a", simple_value (2, 32-bit) 2 } }.
        Assert.Equal("09000000000000f83f" + "1003" + "2a0a" + "0a08" + "0a0161" + "1500000040", Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void The_version_event_names_the_event_format_version_2()
    {
        var fields = ProtobufFields.Parse(EventEncoder.Version(1700000000.25));

        Assert.Equal([1, 3], fields.Select(f => f.Number));
        Assert.Equal(1700000000.25, fields[0].Double);
        Assert.Equal("brain.Event:2", fields[1].String);
    }

    [Fact]
    public void A_large_step_and_several_values_decode_to_what_was_written()
    {
        var histogram = Histogram.Of([1, 2, 3, 4], buckets: 2);
        byte[] bytes = EventEncoder.Summary(2.5, 5_000_000_000, [SummaryValue.Of("x/y", 0.1), SummaryValue.Of("h", histogram)]);
        var fields = ProtobufFields.Parse(bytes);
        var values = ProtobufFields.Parse(fields[2].Bytes).Select(v => ProtobufFields.Parse(v.Bytes)).ToArray();

        Assert.Equal(5_000_000_000L, (long)fields[1].Scalar);
        Assert.Equal("x/y", values[0][0].String);
        Assert.Equal(0.1f, values[0][1].Float);
        Assert.Equal("h", values[1][0].String);
        var histo = ProtobufFields.Parse(values[1][1].Bytes);
        Assert.Equal([1.0, 4, 4, 10, 30], histo.Take(5).Select(f => f.Double));
        Assert.Equal([2.5, 4], ProtobufFields.PackedDoubles(histo[5].Bytes));
        Assert.Equal([2.0, 2], ProtobufFields.PackedDoubles(histo[6].Bytes));
    }
}
