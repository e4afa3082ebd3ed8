namespace DistTrainer.Benchmarks;

/// <summary>
/// One way to exchange gradients, as a column of the scale table: its samples/s at a setting. The single parameter
/// server is measured, the ring all-reduce computed; a sharded parameter server joins as one more column.
/// </summary>
public sealed record ScalingColumn(string Name, Func<ScaleSetting, double> SamplesPerSecond)
{
    /// <summary>samples/s over N times the column's own one-worker samples/s at the same link and batch.</summary>
    public double Efficiency(ScaleSetting setting, double samplesPerSecond) =>
        samplesPerSecond / (setting.Workers * SamplesPerSecond(setting with { Workers = 1 }));
}
