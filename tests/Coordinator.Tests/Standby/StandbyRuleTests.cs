using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Standby;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Standby;

public sealed class StandbyRuleTests
{
    private const string Seed = "akka.tcp://disttrainer@10.0.0.5:4053";

    private static bool IsStandby(string host, int port, string? advertised = null, params string[] seeds) =>
        StandbyRule.IsStandby(ClusterConfigBuilder.Build(new ClusterNodeOptions(host, port, advertised, seeds), _ => null));

    private static Akka.Configuration.Config Config(string host, int port, params string[] seeds) =>
        ClusterConfigBuilder.Build(new ClusterNodeOptions(host, port, null, seeds), _ => null);

    [Fact]
    public void A_coordinator_that_is_its_own_seed_node_is_the_active_one()
    {
        Assert.False(IsStandby("10.0.0.5", 4053, null, Seed));
        Assert.False(IsStandby("0.0.0.0", 4053, "10.0.0.5", Seed));
    }

    [Fact]
    public void A_coordinator_at_a_later_seed_node_stands_by_for_the_first()
    {
        const string second = "akka.tcp://disttrainer@10.0.0.6:4053";
        Assert.True(IsStandby("10.0.0.6", 4053, null, Seed, second));
        Assert.False(IsStandby("10.0.0.5", 4053, null, Seed, second));
    }

    [Fact]
    public void The_first_coordinator_asks_the_later_seed_nodes_but_not_itself()
    {
        const string second = "akka.tcp://disttrainer@10.0.0.6:4053", third = "akka.tcp://disttrainer@10.0.0.7:4053";
        Assert.Equal([second, third], StandbyRule.OtherCoordinators(Config("10.0.0.5", 4053, Seed, second, Seed, third)));
        Assert.Empty(StandbyRule.OtherCoordinators(Config("10.0.0.5", 4053, Seed)));
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
