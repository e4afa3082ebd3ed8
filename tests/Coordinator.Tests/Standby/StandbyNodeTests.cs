using Akka.Actor;
using DistTrainer.Coordinator.Standby;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>A standby node beside an active coordinator's node, both real actor systems on loopback.</summary>
public sealed class StandbyNodeTests
{
    [Fact]
    public async Task A_standby_whose_node_is_downed_before_it_takes_over_says_it_was_removed()
    {
        await using var active = ActiveNode.Start();
        await using var standby = StandbyNode.Start(active.Options, statePath: null, Logger.None);
        Assert.True(await active.SeesUp(standby.Address), "the standby's node was not up within the timeout");

        active.Cluster.Down(Address.Parse(standby.Address));
        var outcome = await Task.Run(() => standby.WaitForTakeover(Task.Delay(ActiveNode.Timeout)));

        Assert.Equal(StandbyOutcome.Removed, outcome);
    }
}
