using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Hosting;

public class CoordinatorNodeSettingsTests
{
    [Fact]
    public void The_shipped_limits_are_the_coordinators_long_standing_ones_three_checkpoint_retries_two_seconds_apart_30_s_per_key_range_two_plans_ahead_key_ranges_on_one_stream_three_rollbacks()
    {
        var expected = new CoordinatorNodeSettings(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10),
            SilentWorkerProbe: TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), new CheckpointRetry(3, TimeSpan.FromSeconds(2)), 10, new QuarantinePolicy(3, 50),
            TimeSpan.FromSeconds(30), PlansAhead: 2, PsRangeStreams: false, PsRangeConnectTimeout: TimeSpan.FromSeconds(5),
            PsRangeRollbacks: 3);

        Assert.Equal(expected, CoordinatorNodeSettings.Create(ClusterConfigBuilder.Build(new ClusterNodeOptions(), _ => null)));
        Assert.Equal(expected, CoordinatorNodeSettings.Default);
    }

    [Fact]
    public void Without_the_flags_a_run_takes_the_shipped_shard_deadline_and_worker_timeout()
    {
        var cluster = TrainArguments.Parse([]).Cluster;

        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60)), (cluster.ShardDeadline, cluster.WorkerTimeout));
    }

    [Fact]
    public void The_flags_win_over_the_shipped_values()
    {
        var cluster = TrainArguments.Parse(["--shard-deadline", "3", "--worker-timeout", "7"]).Cluster;

        Assert.Equal((TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(7)), (cluster.ShardDeadline, cluster.WorkerTimeout));
    }

    [Fact]
    public void An_override_changes_its_value_only()
    {
        var config = ConfigurationFactory.ParseString("disttrainer.coordinator.save-timeout = 2m").WithFallback(ClusterConfigBuilder.Embedded);

        Assert.Equal(CoordinatorNodeSettings.Default with { SaveTimeout = TimeSpan.FromMinutes(2) }, CoordinatorNodeSettings.Create(config));
    }

    [Fact]
    public void The_shard_norm_ratio_is_on_by_default_and_the_flag_sets_it_or_turns_it_off()
    {
        Assert.Equal(10, TrainArguments.Parse([]).Cluster.MaxShardNormRatio);
        Assert.Equal(4, TrainArguments.Parse(["--max-shard-norm-ratio", "4"]).Cluster.MaxShardNormRatio);
        Assert.Equal(0, TrainArguments.Parse(["--max-shard-norm-ratio", "0"]).Cluster.MaxShardNormRatio);
    }

    [Fact]
    public void A_configured_ratio_between_zero_and_one_is_refused_with_its_path()
    {
        var config = ConfigurationFactory.ParseString("disttrainer.coordinator.max-shard-norm-ratio = 0.5").WithFallback(ClusterConfigBuilder.Embedded);

        var error = Assert.Throws<ConfigurationException>(() => CoordinatorNodeSettings.Create(config));

        Assert.Equal("disttrainer.coordinator.max-shard-norm-ratio: '0.5' is not 0 (off) or a number of at least 1", error.Message);
    }
}
