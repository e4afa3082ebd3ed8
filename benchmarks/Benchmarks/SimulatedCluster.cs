using System.Globalization;
using Akka.Configuration;
using DistTrainer.Coordinator.Runs;

namespace DistTrainer.Benchmarks;

/// <summary>
/// Runs of one model on the embedded cluster, each timed by its median step (a run that ends early throws, saying why): with real workers, or with simulated ones
/// (a shard is a wait, <c>simulated-compute-per-row-us</c>) and every node's link capped (<c>link-gbits</c>, 0: none).
/// </summary>
public sealed class SimulatedCluster(ReferenceRuns runs, int steps, int warmUp)
{
    public int BatchPerWorker => runs.BatchPerWorker;

    public MedianStepTime Real(int workers) => Measure(workers, null, rangesOnWorkers: 0);

    /// <summary>The median step's seconds of a simulated run, in the run's virtual time when it is stretched.</summary>
    /// <param name="rangesOnWorkers">
    /// 0: the parameter server whole in the coordinator's node; K from 2 to the workers: in K key ranges, one on each of the
    /// first K workers' nodes (--ps-shards K --ps-placement workers).
    /// </param>
    public double SimulatedStepSeconds(int workers, TimeSpan perRow, double gigabits, int rangesOnWorkers = 0, TimeDilation? dilation = null)
    {
        var stretch = dilation ?? TimeDilation.None;
        string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        var times = Measure(workers, ConfigurationFactory.ParseString(
                $"disttrainer.worker.simulated-compute-per-row-us = {F(stretch.Stretch(perRow).TotalMicroseconds)}\n" +
                // A real node's compute thread polls for its next shard on a core of its own; here it would take the cores all nodes share.
                "disttrainer.worker.compute-spin-us = 0\n" +
                $"disttrainer.data-plane.link-gbits = {F(stretch.LinkGigabits(gigabits))}"),
            rangesOnWorkers);
        return stretch.VirtualSeconds(times.StepSeconds);
    }

    public double SamplesPerSecond(int workers, double stepSeconds) => workers * runs.BatchPerWorker / stepSeconds;

    private MedianStepTime Measure(int workers, Config? nodes, int rangesOnWorkers)
    {
        var times = new MedianStepTime(warmUp);
        var report = runs.Cluster(workers, steps, times, psShards: Math.Max(1, rangesOnWorkers), nodes: nodes,
            placement: rangesOnWorkers > 0 ? KeyRangePlacement.Workers : KeyRangePlacement.Coordinator);
        string how = rangesOnWorkers > 0 ? $", {rangesOnWorkers} key ranges on the workers' nodes" : "";
        return report.Result.Failure is { } failure
            ? throw new InvalidOperationException($"{workers} workers{how}, batch {runs.BatchPerWorker}: the run ended early: {failure}")
            : times;
    }
}
