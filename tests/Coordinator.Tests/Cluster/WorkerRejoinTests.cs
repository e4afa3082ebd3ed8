using Akka.Configuration;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core.Tests;
using DistTrainer.Worker.Actors;
using DistTrainer.Worker.Hosting;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A worker whose node the cluster removes mid-run (as the split-brain resolver does after a partition or a long pause)
/// comes back as a fresh node and registers again. The run has only this worker, so it cannot end without the rejoin:
/// the coordinator waits for it, and every step is applied exactly once.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class WorkerRejoinTests
{
    private const int Steps = 200;

    [Fact]
    public async Task A_worker_whose_node_was_downed_mid_run_comes_back_as_a_fresh_node_and_the_run_applies_every_step_once()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        int port = Ports.Free();
        var sink = new CollectingSink();
        var log = sink.CreateLogger();
        RejoinerNode? worker = null;
        var downer = new DownAtStep(50, () => worker!.Current);
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            "--data-dir", data.Path, "--layers", "linear:16:8,tanh,linear:8:4", "--batch-size", "20", "--steps", Steps.ToString(),
            "--threads", "1", "--device", "cpu", "--workers", "0", "--expect-workers", "1", "--port", port.ToString(), "--worker-timeout", "60",
        ]), downer, log, akka: ConfigurationFactory.Empty));
        worker = new RejoinerNode([RejoinerNode.SeedNode(port)], data.Path, log);

        var report = await training.WaitAsync(TimeSpan.FromMinutes(2));
        var end = await worker.End.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(report.Result.Failure);
        Assert.True(downer.DownedAtStep is not null, "the run ended before the worker's node was downed");
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), report.AppliedSteps);
        Assert.Equal(WorkerEnd.Finished, end);
        Assert.Equal(2, worker.Nodes);
        Assert.Contains(sink.Events, e => e.MessageTemplate.Text.Contains("starting a fresh node to register again"));
    }
}
