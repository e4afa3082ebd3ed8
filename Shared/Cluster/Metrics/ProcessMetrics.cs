using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// The process's own metrics on a registry: prometheus-net's .NET set (collections per generation, memory, CPU, threads),
/// the time the runtime has paused this process for garbage collection, and the managed heap as the last collection
/// left it. The set's total-memory gauge counts garbage not yet collected and RSS counts what the collector keeps
/// committed; the heap after a collection is what a leak would grow, so an operator (or the soak probe) can tell the three apart.
/// </summary>
public static class ProcessMetrics
{
    public const string GcPauseName = "disttrainer_gc_pause_seconds_total";
    public const string HeapAfterCollectionName = "disttrainer_gc_heap_after_collection_bytes";
    public const string HeapAfterFullCollectionName = "disttrainer_gc_heap_after_full_collection_bytes";
    public const string CommittedName = "disttrainer_gc_committed_bytes";

    public static void Register(CollectorRegistry registry)
    {
        DotNetStats.Register(registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var pause = factory.CreateCounter(GcPauseName, "Time the garbage collector has paused this process since it started.");
        var heap = factory.CreateGauge(HeapAfterCollectionName, "Managed heap size when the last collection of any generation ended.");
        var heapAfterFull = factory.CreateGauge(HeapAfterFullCollectionName,
            "Managed heap size when the last full (generation 2) collection ended: the live objects then, with fragmentation.");
        var committed = factory.CreateGauge(CommittedName, "Memory the garbage collector has committed for the managed heap.");
        registry.AddBeforeCollectCallback(() =>
        {
            pause.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
            var last = GC.GetGCMemoryInfo(GCKind.Any);
            heap.Set(last.HeapSizeBytes);
            committed.Set(last.TotalCommittedBytes);
            heapAfterFull.Set(LastFullCollection().HeapSizeBytes);
        });
    }

    // A full collection is blocking or background; the newer of the two (the higher index) is what the heap holds now.
    // Before any has run both have index 0 and a heap size of 0.
    private static GCMemoryInfo LastFullCollection()
    {
        var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var background = GC.GetGCMemoryInfo(GCKind.Background);
        return blocking.Index >= background.Index ? blocking : background;
    }
}
