namespace DistTrainer.Benchmarks;

/// <summary>
/// Virtual time for a simulated cluster bigger than this machine: N workers' nodes and the coordinator's share its cores,
/// so the nodes' own CPU work (actors, copies, checksums, sums, the optimizer) is done one node after another where
/// separate machines would do it side by side. Stretching every simulated wait (compute, and the link by its rate) by
/// F = nodes / cores gives each node, while all are busy, at least one of this machine's cores per virtual second: the
/// run then models nodes of one core each for their communication, and a node busy alone gets more. Times measured in
/// such a run are divided by F. Fixed waits the simulation does not stretch (timer ticks, the kernel's wake-up) shrink
/// by F, so a stretched run slightly flatters a design that waits on them.
/// </summary>
public sealed record TimeDilation(double Factor)
{
    public static readonly TimeDilation None = new(1);

    /// <summary>F = (workers + the coordinator's node) / cores, never below 1.</summary>
    public static TimeDilation ForNodes(int workers, int cores) => new(Math.Max(1.0, (workers + 1.0) / cores));

    public TimeSpan Stretch(TimeSpan wait) => wait * Factor;

    public double LinkGigabits(double gigabits) => gigabits / Factor;

    public double VirtualSeconds(double measuredSeconds) => measuredSeconds / Factor;
}
