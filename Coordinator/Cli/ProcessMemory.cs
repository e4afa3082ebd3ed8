using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>What the program does with its own process's memory, which a library or a test host would not want done to theirs.</summary>
public static class ProcessMemory
{
    /// <summary>
    /// Hands the training's garbage back to the system before the report and plots are made. A cluster run's nodes (their
    /// actor systems, buffers and, embedded, the workers' models) are garbage once shut down, but the collector keeps their
    /// regions committed, and the plots then stacked on top of them: the embedded default's peak was its end. One full,
    /// compacting collection that decommits free regions (embedded, RSS down by 35-40 MB in 10-18 ms; one process, whose plots
    /// also stacked on its training, 4-7 ms) leaves each peak at the training's own (docs/benchmarks/memory.md). It stops every
    /// thread while it runs, which is why only the program calls it, between the run and its report. In a cluster run the
    /// program also calls it once before the nodes shut down (<see cref="Runs.TrainingRun.BeforeNodesStop"/>): the shutdown
    /// compiles and maps code and allocates, about 4 MB that stacked on the training's plateau and made the peak.
    /// </summary>
    public static void ReleaseTrainingGarbage(ILogger log)
    {
        long before = GC.GetTotalMemory(forceFullCollection: false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        log.Debug("Released the training's garbage: managed heap {BeforeMB:F1} to {AfterMB:F1} MB in {Milliseconds} ms", before / 1e6,
            GC.GetTotalMemory(forceFullCollection: false) / 1e6, clock.ElapsedMilliseconds);
    }
}
