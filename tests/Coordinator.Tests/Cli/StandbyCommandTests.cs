using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>
/// Standing by for a run this process handed over. The handover itself, over real processes, is
/// `tools/fault_probe.py kill-range-standby` (in CI): the coordinator that handed the run over stands by and exits 0 with it.
/// </summary>
public sealed class StandbyCommandTests
{
    [Fact]
    public void A_run_handed_to_no_standby_still_in_the_cluster_ends_with_the_cluster_failure_and_says_why()
    {
        var log = new CollectingSink();
        var options = TrainArguments.Parse(["--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1", "--loss", "bce-with-logits",
            "--device", "cpu", "--workers", "0", "--expect-workers", "1"]);

        int exit = StandbyCommand.StandByFor(options, [], TextWriter.Null, log.CreateLogger());

        Assert.Equal(TrainCommand.ClusterFailed, exit);
        var error = Assert.Single(log.Events, e => e.Level == LogEventLevel.Error);
        Assert.Contains("no longer in the cluster; nothing to stand by for", error.RenderMessage());
    }
}
