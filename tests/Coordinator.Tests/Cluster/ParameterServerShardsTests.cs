using Akka.Configuration;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core;
using DistTrainer.Core.Tests;
using Serilog.Events;
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

    /// <summary>
    /// On the workers' nodes, or on nodes of role ps (the embedded cluster starts them), computing nothing; one range a node, or
    /// five ranges round two nodes, whose hosts then serve several, each range on a stream of its own.
    /// </summary>
    [Theory]
    [InlineData("workers", "workers' nodes", 2, 2)]
    [InlineData("ps-nodes", "ps nodes", 2, 2)]
    [InlineData("workers", "workers' nodes", 5, 2)]
    [InlineData("ps-nodes", "ps nodes", 5, 2)]
    public void Key_ranges_served_on_other_nodes_end_on_every_float_of_one_range_in_the_coordinators(string placement, string nodes, int ranges,
        int rangeNodes)
    {
        using var runs = new OneOptionApart(steps: 12);

        var one = runs.Train("one", []);
        var log = new CollectingSink();
        var placed = runs.Train("placed", ["--ps-shards", $"{ranges}", "--ps-placement", placement, .. ranges > rangeNodes ? new[] { "--ps-nodes", $"{rangeNodes}" } : []],
            log.CreateLogger());

        Assert.Null(placed.Result.Failure);
        Assert.Equal(12, placed.AppliedSteps.Count);
        Assert.Equal(["worker-1", "worker-2"], placed.ShardsPerWorker.Keys.Order());
        var placing = Assert.Single(log.Events, e => e.MessageTemplate.Text.StartsWith("Key ranges placed on"));
        Assert.Equal($"\"{nodes}\"", placing.Properties["Nodes"].ToString());
        var servers = System.Text.RegularExpressions.Regex.Matches(placing.Properties["Servers"].ToString(), @"(\d) at 127\.0\.0\.1:(\d+)")
            .Select(m => (Range: int.Parse(m.Groups[1].Value), Port: m.Groups[2].Value)).ToArray();
        Assert.Equal(Enumerable.Range(0, ranges), servers.Select(s => s.Range));
        Assert.Equal(rangeNodes, servers.Select(s => s.Port).Distinct().Count());
        Assert.All(servers, s => Assert.Equal(servers[s.Range % rangeNodes].Port, s.Port));
        // Nothing is computed twice in this run, so every range steps each step as soon as its parts are in, and the master's
        // senders are always those parts': every answer is the step taken ahead.
        var answers = Assert.Single(log.Events, e => e.MessageTemplate.Text.StartsWith("Key ranges: {Ahead} of {Answers}"));
        Assert.Equal((12L * ranges, 12L * ranges), ((long)((ScalarValue)answers.Properties["Ahead"]).Value!,
            (long)((ScalarValue)answers.Properties["Answers"]).Value!));
        Assert.Empty(RunWarnings.Of(log.Events));
        CheckpointAssert.Close(runs.Checkpoint("one"), runs.Checkpoint("placed"), 0, $"{ranges} key ranges on {rangeNodes} {nodes} against 1");
    }

    [Theory]
    [InlineData("--ps-placement ps-nodes", "--ps-placement ps-nodes with --ps-shards 1: key ranges on ps nodes need --ps-shards 2 or more (one range stays whole in the coordinator's node)")]
    [InlineData("--ps-placement workers", "--ps-placement workers with --ps-shards 1: key ranges on workers' nodes need --ps-shards 2 or more (one range stays whole in the coordinator's node)")]
    [InlineData("--ps-shards 3 --ps-placement workers --ps-nodes 3", "--ps-nodes 3 with --ps-placement workers: the hosting nodes are workers' nodes, each serving at least one range, so --ps-nodes must be 1 to 2 (the fewer of the --ps-shards 3 ranges and the 2 workers the run expects)")]
    [InlineData("--ps-shards 2 --ps-placement ps-nodes --ps-nodes 3", "--ps-nodes 3 with --ps-shards 2: each ps node serves at least one key range, so --ps-nodes must be 1 to 2")]
    [InlineData("--ps-shards 2 --ps-nodes 2", "--ps-nodes 2: the key ranges stay in the coordinator's node; --ps-nodes goes with --ps-placement workers or ps-nodes")]
    public void Key_range_placements_that_do_not_fit_are_refused_before_the_run_starts(string options, string error)
    {
        using var runs = new OneOptionApart(steps: 2);

        Assert.Equal(error, Assert.Throws<InvalidInputException>(() => runs.Train("refused", options.Split(' '))).Message);
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
        Assert.Empty(RunWarnings.Of(log.Events));
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
