using System.Globalization;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The simulator against real workers at one worker count, no link cap: the simulated run waits, per shard, the median
/// compute the real run's workers reported, since the load on a shared machine moves compute from one minute to the
/// next and the check is of everything else (registration, data plane, parameter server, hand-offs).
/// </summary>
public sealed record SimulatorCheck(int Workers, double ComputeSeconds, double RealSamplesPerSecond, double SimulatedSamplesPerSecond)
{
    public static SimulatorCheck Run(SimulatedCluster cluster, int workers)
    {
        var real = cluster.Real(workers);
        double simulated = cluster.SimulatedStepSeconds(workers, TimeSpan.FromSeconds(real.ComputeSeconds / cluster.BatchPerWorker), gigabits: 0);
        var check = new SimulatorCheck(workers, real.ComputeSeconds, cluster.SamplesPerSecond(workers, real.StepSeconds),
            cluster.SamplesPerSecond(workers, simulated));
        Console.WriteLine($"validate {workers} workers: real {check.RealSamplesPerSecond:F0}, simulated {check.SimulatedSamplesPerSecond:F0} samples/s");
        return check;
    }

    public static IEnumerable<string> Table(IEnumerable<SimulatorCheck> checks)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        return
        [
            "| workers | real compute ms | real samples/s | simulated samples/s | simulated / real |",
            "|---|---|---|---|---|",
            .. checks.Select(c => $"| {c.Workers} | {F(1000 * c.ComputeSeconds, "F2")} | {F(c.RealSamplesPerSecond, "F0")} | " +
                $"{F(c.SimulatedSamplesPerSecond, "F0")} | {F(c.SimulatedSamplesPerSecond / c.RealSamplesPerSecond, "F2")} |"),
        ];
    }
}
