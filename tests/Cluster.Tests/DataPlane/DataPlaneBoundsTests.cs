using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>The data plane's bounds as a node's configuration carries them: shipped values, overrides, unusable values.</summary>
public sealed class DataPlaneBoundsTests
{
    private static Config NodeConfig => ClusterConfigBuilder.Build(new ClusterNodeOptions(), _ => null);

    [Fact]
    public void A_node_ships_a_few_model_sized_frames_of_send_queue_a_bounded_pool_and_64_pending_handshakes()
    {
        var expected = new DataPlaneBounds(SendQueueBytes: 64L << 20, PayloadPoolBytes: 256L << 20, PendingHandshakes: 64,
            PayloadPoolIdle: TimeSpan.FromSeconds(30));

        Assert.Equal(expected, DataPlaneBounds.Create(NodeConfig));
        Assert.Equal(expected, new DataPlaneOptions().Bounds);
        Assert.Equal(256L << 20, PayloadPool.Shared.CapacityBytes);
    }

    [Fact]
    public void A_nodes_options_take_its_overrides_and_a_pool_of_the_configured_size()
    {
        var config = ConfigurationFactory.ParseString("disttrainer.data-plane { send-queue-bytes = 1MiB\npayload-pool-bytes = 512KiB }")
            .WithFallback(NodeConfig);

        var options = DataPlaneOptions.Create(config);

        Assert.Equal(1L << 20, options.Bounds.SendQueueBytes);
        Assert.Equal(512L << 10, options.Payloads.CapacityBytes);
        Assert.Same(PayloadPool.Shared, DataPlaneOptions.Create(config, PayloadPool.Shared).Payloads);
    }

    [Theory]
    [InlineData("send-queue-bytes = lots", "disttrainer.data-plane.send-queue-bytes: 'lots' is not a size such as 64MiB or 512KiB")]
    [InlineData("payload-pool-bytes = 0", "disttrainer.data-plane.payload-pool-bytes: '0' is not a size above zero such as 64MiB")]
    [InlineData("pending-handshakes = 0", "disttrainer.data-plane.pending-handshakes: '0' is not a count of one or more")]
    public void An_unusable_bound_names_its_path_and_what_is_wrong(string setting, string message)
    {
        var config = ConfigurationFactory.ParseString($"disttrainer.data-plane.{setting}").WithFallback(NodeConfig);

        var error = Assert.Throws<ConfigurationException>(() => DataPlaneBounds.Create(config));

        Assert.Equal(message, error.Message);
    }
}
