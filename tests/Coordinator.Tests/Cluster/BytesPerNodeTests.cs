using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// What crosses each node's link a step, counted on the embedded cluster's real streams. With one key range served beside each
/// of n workers, a worker's node sends its other ranges' parts and its range's weights to the other workers, and receives as
/// much: ring all-reduce's 2(n - 1)/n x the model's bytes each way, plus the heads; the coordinator's node carries only the
/// heads and the ranges' control. With every range in the coordinator's node, that node carries n x the model's bytes each way;
/// with K ranges on nodes of role ps, each of those carries n / K of it.
/// </summary>
public sealed class BytesPerNodeTests
{
    // 71,684 parameters: 287 kB of gradients, against heads of about 2 kB (a batch-norm layer's moments).
    private const string Layers = "linear:16:256,batchnorm:256,relu,linear:256:256,relu,linear:256:4";
    private const double ModelBytes = 71_684 * sizeof(float);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void With_a_range_beside_each_worker_each_workers_node_carries_ring_all_reduces_bytes_within_5_percent(int workers)
    {
        var nodes = BytesPerStep(workers, ["--ps-shards", workers.ToString(), "--ps-placement", "workers"]);

        double ring = 2.0 * (workers - 1) / workers * ModelBytes;
        var workerNodes = nodes.Where(node => !node.Master).ToList();
        Assert.Equal(workers, workerNodes.Count);
        Assert.All(workerNodes, node =>
        {
            Assert.InRange(node.BytesSent / ring, 1.0, 1.05);
            Assert.InRange(node.BytesReceived / ring, 1.0, 1.05);
        });
        var coordinator = Assert.Single(nodes, node => node.Master);
        Assert.InRange(coordinator.BytesSent + coordinator.BytesReceived, 0, 0.05 * ModelBytes);
    }

    [Fact]
    public void With_ranges_on_ps_nodes_each_carries_its_share_of_every_workers_gradient_and_weights_and_each_worker_one_model_each_way()
    {
        const int workers = 2, ranges = 2;
        var nodes = BytesPerStep(workers, ["--ps-shards", ranges.ToString(), "--ps-placement", "ps-nodes"]);

        var others = nodes.Where(node => !node.Master).ToList();
        Assert.Equal(workers + ranges, others.Count);
        // A worker sends every part and receives every range: one model each way. A ps node takes its range's part from every
        // worker and sends its range to every worker: workers / ranges of a model each way (here as much as a worker).
        Assert.All(others, node =>
        {
            Assert.InRange(node.BytesSent / ModelBytes, 1.0, 1.05);
            Assert.InRange(node.BytesReceived / ModelBytes, 1.0, 1.05);
        });
        Assert.InRange(Assert.Single(nodes, node => node.Master).BytesReceived, 0, 0.05 * ModelBytes);
    }

    [Fact]
    public void With_every_range_in_the_coordinators_node_that_node_carries_every_workers_gradient_and_weights()
    {
        const int workers = 2;
        var nodes = BytesPerStep(workers, []);

        var coordinator = Assert.Single(nodes, node => node.Master);
        Assert.InRange(coordinator.BytesSent / (workers * ModelBytes), 1.0, 1.05);
        Assert.InRange(coordinator.BytesReceived / (workers * ModelBytes), 1.0, 1.05);
        Assert.All(nodes.Where(node => !node.Master), node => Assert.InRange(node.BytesSent / ModelBytes, 1.0, 1.05));
    }

    // Six steps inside the first epoch (ten steps of 12 rows), so that no evaluation's gather falls between the first and the last.
    private static IReadOnlyList<NodeBytesPerStep> BytesPerStep(int workers, string[] options)
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        var report = EmbeddedCluster.Train(TrainArguments.Parse(
        [
            "--data-dir", data.Path, "--layers", Layers, "--optimizer", "adam", "--batch-size", "12", "--steps", "6", "--seed", "13",
            "--threads", "1", "--device", "cpu", "--workers", workers.ToString(), "--shards", workers.ToString(), .. options,
        ]));
        Assert.Null(report.Result.Failure);
        Assert.Equal(6, report.AppliedSteps.Count);
        return report.NodeBytesPerStep!;
    }
}
