namespace DistTrainer.Benchmarks;

public static class Statistics
{
    /// <summary>The middle value (the upper middle of an even count), which one disturbed repetition cannot move.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>The median microseconds of <paramref name="runs"/> calls of <paramref name="operation"/>, after 20 unmeasured ones.</summary>
    public static double MedianMicroseconds(int runs, Action operation)
    {
        for (int i = 0; i < 20; i++) operation();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            operation();
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        return Median(times);
    }
}
