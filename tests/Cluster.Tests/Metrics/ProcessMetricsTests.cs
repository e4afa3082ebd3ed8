using DistTrainer.Cluster.Metrics;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

public sealed class ProcessMetricsTests
{
    [Fact]
    public void The_heap_after_a_full_collection_counts_what_is_still_reachable_and_the_collector_has_committed_at_least_the_heap()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        ProcessMetrics.Register(registry);
        const int bytes = 64 << 20;
        var held = new byte[bytes];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var whileHeld = Exposition.Of(registry);
        GC.KeepAlive(held);

        Assert.True(whileHeld.Value(ProcessMetrics.HeapAfterFullCollectionName) >= bytes,
            $"heap after the full collection {whileHeld.Value(ProcessMetrics.HeapAfterFullCollectionName)} holds the live 64 MiB array");
        Assert.True(whileHeld.Value(ProcessMetrics.CommittedName) >= whileHeld.Value(ProcessMetrics.HeapAfterCollectionName));
    }
}
