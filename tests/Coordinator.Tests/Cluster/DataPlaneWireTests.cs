using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// --data-plane: the embedded cluster's workers hand their frames over in memory by default, or through loopback TCP as
/// separate processes do; how the bytes travel never changes them, so both end on the very same floats.
/// </summary>
public sealed class DataPlaneWireTests
{
    [Fact]
    public void Frames_in_memory_and_over_loopback_TCP_end_on_every_float_of_each_other()
    {
        using var runs = new OneOptionApart(steps: 12);
        var (memoryLog, tcpLog) = (new CollectingSink(), new CollectingSink());

        var memory = runs.Train("memory", [], memoryLog.CreateLogger());
        var tcp = runs.Train("tcp", ["--data-plane", "tcp"], tcpLog.CreateLogger());

        Assert.Equal(["in process", "in process"], PeersConnected(memoryLog));
        Assert.All(PeersConnected(tcpLog), peer => Assert.StartsWith("127.0.0.1:", peer));
        Assert.Null(tcp.Result.Failure);
        Assert.Equal(12, memory.AppliedSteps.Count);
        Assert.Equal(12, tcp.AppliedSteps.Count);
        Assert.Equal(memory.Traffic.BytesReceived, tcp.Traffic.BytesReceived);
        CheckpointAssert.Close(runs.Checkpoint("memory"), runs.Checkpoint("tcp"), 0, "loopback TCP against memory");
    }

    /// <summary>The address part of each worker stream the parameter server logged as connected ("'w1' (ADDRESS)").</summary>
    private static string[] PeersConnected(CollectingSink log) =>
    [
        .. log.Events.Where(e => e.MessageTemplate.Text.StartsWith("Data plane: worker {Worker} connected from {Peer}", StringComparison.Ordinal))
            .Select(e => e.Properties["Peer"].ToString().Trim('"'))
            .Select(peer => peer[(peer.IndexOf('(') + 1)..^1]),
    ];

    [Fact]
    public void Memory_is_the_default_and_the_option_takes_memory_or_tcp()
    {
        Assert.True(TrainArguments.Parse([]).Cluster.DataPlaneInMemory);
        Assert.False(TrainArguments.Parse(["--data-plane", "tcp"]).Cluster.DataPlaneInMemory);
        var error = Assert.Throws<InvalidInputException>(() => TrainArguments.Parse(["--data-plane", "rdma"]));
        Assert.Equal("--data-plane: 'rdma'; expected memory (workers in this process hand frames over in memory) or tcp", error.Message);
    }
}
