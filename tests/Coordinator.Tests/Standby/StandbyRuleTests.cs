using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Standby;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

public sealed class StandbyRuleTests
{
    private const string Seed = "akka.tcp://disttrainer@10.0.0.5:4053";

    private static bool IsStandby(string host, int port, string? advertised = null, params string[] seeds) =>
        StandbyRule.IsStandby(ClusterConfigBuilder.Build(new ClusterNodeOptions(host, port, advertised, seeds), _ => null));

    [Fact]
    public void A_coordinator_that_is_its_own_seed_node_is_the_active_one()
    {
        Assert.False(IsStandby("10.0.0.5", 4053, null, Seed));
        Assert.False(IsStandby("0.0.0.0", 4053, "10.0.0.5", Seed));
    }

    [Fact]
    public void A_coordinator_with_no_seed_nodes_founds_the_cluster()
    {
        Assert.False(IsStandby("10.0.0.5", 4053));
    }

    [Fact]
    public void A_coordinator_on_another_host_or_port_than_every_seed_node_stands_by()
    {
        Assert.True(IsStandby("10.0.0.6", 4053, null, Seed));
        Assert.True(IsStandby("10.0.0.5", 4054, null, Seed));
        Assert.True(IsStandby("0.0.0.0", 4053, "10.0.0.6", Seed));
    }
}
