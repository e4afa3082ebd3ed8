using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A model of 10M parameters (40 MB of weights to each worker and 40 MB of gradients back every
/// step) trains on 2 embedded workers for twelve seconds (four times the failure detector's acceptable heartbeat
/// pause) without any node being marked unreachable: tensors go on the data plane, so Akka's heartbeats never
/// queue behind them. It runs alone
/// (<see cref="AloneCollection"/>).
/// </summary>
[Collection(AloneCollection.Name)]
public class LargeModelTests
{
    /// <summary>3,215,360 + 6,817,408 + 16,650 = 10,049,418 parameters.</summary>
    private const string TenMillion = "linear:784:4096,relu,linear:4096:1664,relu,linear:1664:10";

    [Fact]
    public void Ten_million_parameters_train_for_twelve_seconds_with_every_node_reachable()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 256, rows: 28, columns: 28, classes: 10);
        var sink = new CollectingSink();
        // A step took 1.1 to 1.5 s here with other builds running, less on a quiet machine: no step count
        // promises a duration, so the stop signal (what Ctrl-C sends) ends the run after the step in flight.
        using var window = new CancellationTokenSource(TimeSpan.FromSeconds(12));

        var report = EmbeddedCluster.Train(TrainArguments.Parse(
        [
            "--data-dir", data.Path, "--layers", TenMillion, "--optimizer", "momentum", "--lr", "0.01", "--momentum", "0.9",
            "--batch-size", "64", "--steps", "100000", "--threads", "1", "--device", "cpu", "--workers", "2",
        ]), log: sink.CreateLogger(), stop: window.Token);

        Assert.Null(report.Result.Failure);
        Assert.True(report.Result.Interrupted);
        Assert.True(report.AppliedSteps.Count >= 3,
            $"only {report.AppliedSteps.Count} steps in twelve seconds, {report.Times.StepSeconds / Math.Max(1, report.AppliedSteps.Count):F2} s each");
        Assert.Equal(Enumerable.Range(0, report.AppliedSteps.Count).Select(i => (long)i), report.AppliedSteps);
        Assert.Empty(report.WorkersLost);
        Assert.Equal(0, report.ShardsReassigned);
        Assert.Equal(0, report.StepRestarts);
        Assert.DoesNotContain(sink.Events, e => e.RenderMessage().Contains("UNREACHABLE", StringComparison.OrdinalIgnoreCase));
    }
}
