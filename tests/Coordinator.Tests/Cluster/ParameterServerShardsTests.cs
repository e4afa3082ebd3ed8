using Akka.Configuration;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// --ps-shards cuts the parameter server's vector into key ranges stepped at the same time (with ps-range-streams, each
/// worker sends every result as a head and a gradient part per range on a stream of its own and gets each range of the
/// new weights on it); every rule is element-wise and every sum keeps its shard order, so a run ends on the very same
/// weights, running statistics and Adam state (every float compared exactly) whatever the number of ranges.
/// </summary>
public sealed class ParameterServerShardsTests
{
    /// <summary>Each key range on a stream of its own, the protocol ranges placed on other nodes need.</summary>
    internal static readonly Config RangeStreams = ConfigurationFactory.ParseString("disttrainer.coordinator.ps-range-streams = on");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Three_key_ranges_end_on_every_float_of_one(bool rangeStreams)
    {
        using var runs = new OneOptionApart(steps: 12);

        var one = runs.Train("one", []);
        var log = new CollectingSink();
        var three = runs.Train("three", ["--ps-shards", "3"], log.CreateLogger(), rangeStreams ? RangeStreams : null);

        Assert.Null(three.Result.Failure);
        Assert.Equal(12, one.AppliedSteps.Count);
        Assert.Equal(12, three.AppliedSteps.Count);
        Assert.Contains(log.Events, e => e.MessageTemplate.Text.Contains("key ranges") && e.Properties["PsShards"].ToString() == "3");
        CheckpointAssert.Close(runs.Checkpoint("one"), runs.Checkpoint("three"), 0, "3 key ranges against 1");
    }

    /// <summary>On the workers' nodes, or on nodes of role ps (the embedded cluster starts one for each range), computing nothing.</summary>
    [Theory]
    [InlineData("workers", "workers' nodes")]
    [InlineData("ps-nodes", "ps nodes")]
    public void Key_ranges_served_on_other_nodes_end_on_every_float_of_one_range_in_the_coordinators(string placement, string nodes)
    {
        using var runs = new OneOptionApart(steps: 12);

        var one = runs.Train("one", []);
        var log = new CollectingSink();
        var placed = runs.Train("placed", ["--ps-shards", "2", "--ps-placement", placement], log.CreateLogger());

        Assert.Null(placed.Result.Failure);
        Assert.Equal(12, placed.AppliedSteps.Count);
        Assert.Equal(["worker-1", "worker-2"], placed.ShardsPerWorker.Keys.Order());
        var placing = Assert.Single(log.Events, e => e.MessageTemplate.Text.StartsWith("Key ranges placed on"));
        Assert.Equal($"\"{nodes}\"", placing.Properties["Nodes"].ToString());
        Assert.Matches("^\\\"0 at 127\\.0\\.0\\.1:\\d+, 1 at 127\\.0\\.0\\.1:\\d+\\\"$", placing.Properties["Servers"].ToString());
        Assert.DoesNotContain(log.Events, e => e.Level >= Serilog.Events.LogEventLevel.Warning);
        CheckpointAssert.Close(runs.Checkpoint("one"), runs.Checkpoint("placed"), 0, $"2 key ranges on {nodes} against 1");
    }

    [Fact]
    public void Key_ranges_on_ps_nodes_need_at_least_two()
    {
        using var runs = new OneOptionApart(steps: 2);

        Assert.Equal("--ps-placement ps-nodes with --ps-shards 1: each of the first ps nodes serves one key range, so --ps-shards must be 2 " +
                     "or more (one range stays whole in the coordinator's node)",
            Assert.Throws<InvalidInputException>(() => runs.Train("refused", ["--ps-placement", "ps-nodes"])).Message);
    }

    [Theory]
    [InlineData("1", "--ps-placement workers with --ps-shards 1: each of the first workers' nodes serves one key range, so --ps-shards must be 2 to the 2 workers the run expects")]
    [InlineData("3", "--ps-placement workers with --ps-shards 3: each of the first workers' nodes serves one key range, so --ps-shards must be 2 to the 2 workers the run expects")]
    public void Key_ranges_on_workers_nodes_need_one_worker_for_each_and_at_least_two(string shards, string error)
    {
        using var runs = new OneOptionApart(steps: 2);

        Assert.Equal(error, Assert.Throws<InvalidInputException>(() => runs.Train("refused", ["--ps-shards", shards, "--ps-placement", "workers"])).Message);
    }

    [Fact]
    public void More_key_ranges_than_the_model_has_parameters_are_refused_before_the_run_starts()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);

        var error = Assert.Throws<InvalidInputException>(() => EmbeddedCluster.Train(TrainArguments.Parse(
            [.. FaultIndependenceTests.Run(data.Path, FaultIndependenceTests.WithBatchNorm, 2), "--workers", "1", "--ps-shards", "281"])));

        Assert.Equal("--ps-shards 281: the model has 280 parameters and each key range needs at least one; expected 1 to 280", error.Message);
    }

    /// <summary>
    /// A 16-bit wire packs each range's part on whole floats of its own (odd lengths with three ranges of 280 parameters);
    /// the rounding and its error feedback are element-wise, so the parts decode to the values one range gets.
    /// </summary>
    [Theory]
    [InlineData("bf16", "3", null)]
    [InlineData("fp16", "2", "workers")]
    [InlineData("bf16", "2", "ps-nodes")]
    public void A_16_bit_wire_with_key_ranges_on_streams_of_their_own_ends_on_every_float_of_one_range_on_the_same_wire(
        string dtype, string shards, string? placement)
    {
        using var runs = new OneOptionApart(steps: 12);

        var one = runs.Train("one", ["--wire-dtype", dtype]);
        var log = new CollectingSink();
        var ranged = runs.Train("ranged", ["--wire-dtype", dtype, "--ps-shards", shards, .. placement is null ? [] : new[] { "--ps-placement", placement }],
            log.CreateLogger(), placement is null ? RangeStreams : null);

        Assert.Null(ranged.Result.Failure);
        Assert.Equal(12, ranged.AppliedSteps.Count);
        Assert.DoesNotContain(log.Events, e => e.Level >= Serilog.Events.LogEventLevel.Warning);
        CheckpointAssert.Close(runs.Checkpoint("one"), runs.Checkpoint("ranged"), 0, $"{shards} key ranges on a {dtype} wire against 1");
    }

    [Fact]
    public void One_key_range_is_the_default_and_the_option_takes_a_positive_count()
    {
        Assert.Equal(1, TrainArguments.Parse([]).Cluster.PsShards);
        Assert.Equal(4, TrainArguments.Parse(["--ps-shards", "4"]).Cluster.PsShards);
        Assert.Throws<InvalidInputException>(() => TrainArguments.Parse(["--ps-shards", "0"]));
    }
}
