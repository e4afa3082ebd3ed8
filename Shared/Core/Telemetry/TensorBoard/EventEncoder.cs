namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// TensorFlow's Event protobuf, for the fields TensorBoard's scalar and histogram dashboards read:
/// Event{wall_time = 1, step = 2, file_version = 3, summary = 5}, Summary{value = 1},
/// Summary.Value{tag = 1, simple_value = 2, histo = 5} and HistogramProto{min = 1, max = 2, num = 3,
/// sum = 4, sum_squares = 5, bucket_limit = 6, bucket = 7} (event.proto, summary.proto, histogram.proto).
/// </summary>
public static class EventEncoder
{
    /// <summary>
    /// The first event of every file. From version 2 on TensorBoard discards data only at a restart marker (never written
    /// here), not when a step goes backwards: on a cluster the histograms and the scalars come from two actors' threads.
    /// </summary>
    public const string FileVersion = "brain.Event:2";

    public static byte[] Version(double wallTime)
    {
        var message = new ProtobufWriter();
        message.Double(1, wallTime);
        message.String(3, FileVersion);
        return message.Written.ToArray();
    }

    public static byte[] Summary(double wallTime, long step, IReadOnlyList<SummaryValue> values)
    {
        var summary = new ProtobufWriter();
        foreach (var value in values) summary.Message(1, Value(value));
        var message = new ProtobufWriter();
        message.Double(1, wallTime);
        message.Int64(2, step);
        message.Message(5, summary);
        return message.Written.ToArray();
    }

    private static ProtobufWriter Value(SummaryValue value)
    {
        var message = new ProtobufWriter();
        message.String(1, value.Tag);
        if (value.Histogram is { } histogram)
            message.Message(5, Histogram(histogram));
        else
            message.Float(2, value.Scalar);
        return message;
    }

    private static ProtobufWriter Histogram(Histogram histogram)
    {
        var message = new ProtobufWriter();
        message.Double(1, histogram.Min);
        message.Double(2, histogram.Max);
        message.Double(3, histogram.Count);
        message.Double(4, histogram.Sum);
        message.Double(5, histogram.SumSquares);
        message.PackedDoubles(6, histogram.BucketLimits);
        message.PackedDoubles(7, histogram.BucketCounts);
        return message;
    }
}
