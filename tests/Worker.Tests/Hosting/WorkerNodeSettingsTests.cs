using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Worker.Hosting;
using Xunit;

namespace DistTrainer.Worker.Tests.Hosting;

public class WorkerNodeSettingsTests
{
    [Fact]
    public void The_shipped_waits_are_the_workers_long_standing_ones()
    {
        var expected = new WorkerNodeSettings(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 4, TimeSpan.FromSeconds(45),
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30),
            ComputeSpin: TimeSpan.FromMilliseconds(1));

        Assert.Equal(expected, WorkerNodeSettings.Create(ClusterConfigBuilder.Build(new ClusterNodeOptions(), _ => null)));
        Assert.Equal(expected, WorkerNodeSettings.Default);
    }

    [Fact]
    public void An_override_changes_its_value_only()
    {
        var config = ConfigurationFactory.ParseString("disttrainer.worker.registration-retry = 250ms").WithFallback(ClusterConfigBuilder.Embedded);

        Assert.Equal(WorkerNodeSettings.Default with { RegistrationRetry = TimeSpan.FromMilliseconds(250) }, WorkerNodeSettings.Create(config));
    }

    [Fact]
    public void Key_range_parts_leave_as_backward_makes_them_unless_switched_off()
    {
        var config = ConfigurationFactory.ParseString("disttrainer.worker.stream-parts = off").WithFallback(ClusterConfigBuilder.Embedded);

        Assert.True(WorkerNodeSettings.Default.StreamParts);
        Assert.False(WorkerNodeSettings.Create(config).StreamParts);
    }

    [Fact]
    public void Shards_are_computed_unless_a_simulated_time_per_row_is_set()
    {
        var config = ConfigurationFactory.ParseString("disttrainer.worker.simulated-compute-per-row-us = 12.5").WithFallback(ClusterConfigBuilder.Embedded);

        Assert.Equal(TimeSpan.Zero, WorkerNodeSettings.Default.SimulatedComputePerRow);
        Assert.Equal(TimeSpan.FromMicroseconds(12.5), WorkerNodeSettings.Create(config).SimulatedComputePerRow);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("250", 250)]
    public void The_compute_thread_polls_for_the_configured_microseconds_and_zero_turns_it_off(string value, int microseconds)
    {
        var config = ConfigurationFactory.ParseString($"disttrainer.worker.compute-spin-us = {value}").WithFallback(ClusterConfigBuilder.Embedded);

        Assert.Equal(TimeSpan.FromMicroseconds(microseconds), WorkerNodeSettings.Create(config).ComputeSpin);
    }

    [Fact]
    public void A_configuration_without_the_section_is_refused_naming_it()
    {
        var e = Assert.Throws<ConfigurationException>(() => WorkerNodeSettings.Create(ConfigurationFactory.ParseString("disttrainer.node.leave-timeout = 1s")));
        Assert.Equal("disttrainer.worker: missing from the configuration (every node's defaults are in deploy/disttrainer.hocon)", e.Message);
    }
}
