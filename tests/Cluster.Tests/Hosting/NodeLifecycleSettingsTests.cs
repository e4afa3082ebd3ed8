using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>The disttrainer section as every node's configuration carries it: shipped values, overrides, a missing section.</summary>
public class NodeLifecycleSettingsTests
{
    private static Config NodeConfig => ClusterConfigBuilder.Build(new ClusterNodeOptions(), _ => null);

    [Fact]
    public void A_node_leaves_and_terminates_within_the_shipped_limits()
    {
        Assert.Equal(new NodeLifecycleSettings(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10)), NodeLifecycleSettings.Create(NodeConfig));
    }

    [Fact]
    public void The_data_plane_waits_as_long_as_it_always_did()
    {
        var expected = new DataPlaneSettings(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));

        Assert.Equal(expected, DataPlaneSettings.Create(NodeConfig));
        Assert.Equal(expected, DataPlaneSettings.Default);
        Assert.Equal(expected, new DataPlaneOptions().Timings);
    }

    [Fact]
    public void An_override_changes_its_value_and_leaves_the_others_to_the_file()
    {
        var overrides = ConfigurationFactory.ParseString("disttrainer.node.leave-timeout = 3s\ndisttrainer.data-plane.hello-timeout = 250ms");

        var config = overrides.WithFallback(NodeConfig);

        Assert.Equal(new NodeLifecycleSettings(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)), NodeLifecycleSettings.Create(config));
        Assert.Equal(DataPlaneSettings.Default with { HelloTimeout = TimeSpan.FromMilliseconds(250) }, DataPlaneSettings.Create(config));
    }

    [Fact]
    public void A_configuration_without_the_section_is_refused_naming_it()
    {
        var akkaOnly = ConfigurationFactory.ParseString("akka.loglevel = INFO");

        var node = Assert.Throws<ConfigurationException>(() => NodeLifecycleSettings.Create(akkaOnly));
        var dataPlane = Assert.Throws<ConfigurationException>(() => DataPlaneSettings.Create(akkaOnly));

        Assert.Equal("disttrainer.node: missing from the configuration (every node's defaults are in deploy/disttrainer.hocon)", node.Message);
        Assert.StartsWith("disttrainer.data-plane: missing from the configuration", dataPlane.Message);
    }
}
