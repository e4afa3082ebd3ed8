using System.Globalization;
using DistTrainer.Cluster.DataPlane.Fuzzing;

namespace DistTrainer.Benchmarks;

/// <summary>
/// `fuzz [--seconds N] [--seed S] [--limit BYTES]`: the data plane's Hello and frame readers fed random and damaged
/// frames for minutes (<see cref="FrameFuzzer"/>; CI runs a few seconds of it). Prints the inputs tried, the refusals
/// by reason, the largest allocation one frame made and the peak managed memory; exit code 1 on any finding.
/// </summary>
public static class FuzzCommand
{
    public static int Run(BenchmarkArguments args)
    {
        int seconds = args.Int("--seconds", 120);
        int seed = args.Int("--seed", 1);
        int limit = args.Int("--limit", 1 << 20);
        var report = new FrameFuzzer(seed, limit).Run(long.MaxValue, TimeSpan.FromSeconds(seconds));

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"fuzz: seed {seed}, frame limit {limit} bytes, {report.Elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine(string.Create(culture, $"inputs tried: {report.Inputs} ({report.Inputs / report.Elapsed.TotalSeconds:0} a second)"));
        Console.WriteLine($"accepted: {report.HellosAccepted} Hellos, {report.FramesAccepted} frames");
        Console.WriteLine("refusals by reason:");
        foreach (var (reason, count) in report.Rejections.OrderByDescending(r => r.Value))
            Console.WriteLine($"  {count,10}  {reason}");
        Console.WriteLine(string.Create(culture, $"largest allocation for one frame: {report.LargestAllocation} bytes (limit {limit})"));
        Console.WriteLine(string.Create(culture, $"peak managed memory: {report.PeakManagedBytes / 1048576.0:0.0} MiB"));
        Console.WriteLine($"findings: {report.FindingCount}");
        foreach (string finding in report.Findings) Console.WriteLine($"  {finding}");
        return report.FindingCount == 0 ? 0 : 1;
    }
}
