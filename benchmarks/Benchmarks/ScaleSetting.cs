namespace DistTrainer.Benchmarks;

/// <summary>One point of the scale grid: simulated workers, each node's link in Gbit/s (0: uncapped), rows per worker.</summary>
public sealed record ScaleSetting(int Workers, double Gigabits, int BatchPerWorker)
{
    public double BytesPerSecond => Gigabits * 1e9 / 8;
}
