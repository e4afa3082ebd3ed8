using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// The process's own metrics on a registry: prometheus-net's .NET set (collections per generation, memory, CPU, threads)
/// and the time the runtime has paused this process for garbage collection, which that set leaves out.
/// </summary>
public static class ProcessMetrics
{
    public const string GcPauseName = "disttrainer_gc_pause_seconds_total";

    public static void Register(CollectorRegistry registry)
    {
        DotNetStats.Register(registry);
        var pause = Prometheus.Metrics.WithCustomRegistry(registry)
            .CreateCounter(GcPauseName, "Time the garbage collector has paused this process since it started.");
        registry.AddBeforeCollectCallback(() => pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds));
    }
}
