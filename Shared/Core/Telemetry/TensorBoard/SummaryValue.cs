namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>One tagged value of an event's summary: a scalar, or a histogram when <see cref="Histogram"/> is set.</summary>
public readonly record struct SummaryValue(string Tag, float Scalar, Histogram? Histogram = null)
{
    public static SummaryValue Of(string tag, double value) => new(tag, (float)value);

    public static SummaryValue Of(string tag, Histogram histogram) => new(tag, 0, histogram);
}
