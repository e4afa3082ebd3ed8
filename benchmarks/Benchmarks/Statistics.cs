namespace DistTrainer.Benchmarks;

public static class Statistics
{
    /// <summary>The middle value (the upper middle of an even count), which one disturbed repetition cannot move.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
