namespace DistTrainer.Benchmarks;

/// <summary>
/// One way to exchange gradients, as a column of the scale table: its samples/s at a setting. The parameter server,
/// whole or in key ranges on the workers' nodes, is measured; the ring all-reduce is computed.
/// </summary>
public sealed record ScalingColumn(string Name, Func<ScaleSetting, double> SamplesPerSecond)
{
    /// <summary>samples/s over N times the column's own one-worker samples/s at the same link and batch.</summary>
    public double Efficiency(ScaleSetting setting, double samplesPerSecond) =>
        samplesPerSecond / (setting.Workers * SamplesPerSecond(setting with { Workers = 1 }));
}
