using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Coordinator.Tests.Cluster;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

/// <summary>A standby node beside an active coordinator's node, both real actor systems on loopback.</summary>
public sealed class StandbyNodeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_standby_whose_node_is_downed_before_it_takes_over_says_it_was_removed()
    {
        string seed = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{ClusterProcesses.FreePort()}";
        var options = new ClusterNodeOptions(Hostname: "127.0.0.1", Port: new Uri(seed).Port, SeedNodes: [seed], Roles: [ClusterRoles.Coordinator]);
        var active = ClusterNode.Start(options, Logger.None);
        try
        {
            MemberUp.Wait(active, Timeout);
            await using var standby = StandbyNode.Start(options, statePath: null, Logger.None);
            var activeCluster = Akka.Cluster.Cluster.Get(active);
            var standbyAddress = Address.Parse(standby.Address);
            Assert.True(await Poll.Eventually(() => activeCluster.State.Members.Any(m => m.Address == standbyAddress && m.Status == Akka.Cluster.MemberStatus.Up),
                Timeout), $"the standby's node was not up within {Timeout.TotalSeconds:F0} s");

            activeCluster.Down(standbyAddress);
            var outcome = await Task.Run(() => standby.WaitForTakeover(Task.Delay(Timeout)));

            Assert.Equal(StandbyOutcome.Removed, outcome);
        }
        finally
        {
            await active.Terminate();
        }
    }
}
