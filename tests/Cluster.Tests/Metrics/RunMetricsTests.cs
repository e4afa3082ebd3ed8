using DistTrainer.Cluster.Metrics;
using DistTrainer.Core.Training;
using Prometheus;
using Xunit;

namespace DistTrainer.Cluster.Tests.Metrics;

public sealed class RunMetricsTests
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();

    private static ClusterStepReport Report(long step, long reassigned = 0, long duplicates = 0, long rejected = 0, long sent = 0,
        long received = 0, int ready = 2, int lost = 0) =>
        new(step, StepSeconds: 0.010, ComputeSeconds: 0.004, ExchangeSeconds: 0.007, ApplySeconds: 0.002, reassigned, StepRestarts: 0,
            duplicates, Late: 0, rejected, sent, received, ready, lost);

    private static StepReport Step(int batch, long step, int rows, double loss = 0.5) =>
        new(Epoch: 0, batch, BatchesPerEpoch: 3, step, LastStep: 3, loss, Accuracy: 0.75, SamplesPerSecond: 100, rows);

    [Fact]
    public void Counters_rise_to_the_totals_each_cluster_step_reports_and_a_repeated_total_adds_nothing()
    {
        var metrics = new RunMetrics(_registry);

        metrics.OnClusterStep(Report(1, reassigned: 1, duplicates: 2, sent: 1000, received: 800, lost: 0));
        metrics.OnClusterStep(Report(2, reassigned: 3, duplicates: 2, rejected: 1, sent: 2500, received: 1700, ready: 1, lost: 1));
        metrics.OnClusterStep(Report(3, reassigned: 3, duplicates: 2, rejected: 1, sent: 2500, received: 1700, ready: 1, lost: 1));
        var exposition = Exposition.Of(_registry);

        Assert.Equal(3, exposition.Value("disttrainer_shards_reassigned_total"));
        Assert.Equal(2, exposition.Value("disttrainer_duplicates_dropped_total"));
        Assert.Equal(1, exposition.Value("disttrainer_shards_rejected_total"));
        Assert.Equal(2500, exposition.Value("disttrainer_data_plane_sent_bytes_total"));
        Assert.Equal(1700, exposition.Value("disttrainer_data_plane_received_bytes_total"));
        Assert.Equal(1, exposition.Value("disttrainer_workers_lost_total"));
        Assert.Equal(1, exposition.Value("disttrainer_workers_registered"));
    }

    [Fact]
    public void Each_step_counts_its_batch_s_samples_and_the_short_last_batch_of_an_epoch_counts_short()
    {
        var metrics = new RunMetrics(_registry);

        metrics.OnStep(Step(batch: 0, step: 1, rows: 10));
        metrics.OnStep(Step(batch: 1, step: 2, rows: 10));
        metrics.OnStep(Step(batch: 2, step: 3, rows: 5, loss: 0.25));
        var exposition = Exposition.Of(_registry);

        Assert.Equal(3, exposition.Value("disttrainer_steps_applied_total"));
        Assert.Equal(25, exposition.Value("disttrainer_samples_total"));
        Assert.Equal(0.25, exposition.Value("disttrainer_train_loss"));
    }

    [Fact]
    public void Step_times_and_their_phases_and_checkpoints_land_in_histograms()
    {
        var metrics = new RunMetrics(_registry);

        metrics.OnClusterStep(Report(1));
        metrics.OnClusterStep(Report(2));
        metrics.OnCheckpoint(0.125);
        var exposition = Exposition.Of(_registry);

        Assert.Equal("histogram", exposition.Types["disttrainer_step_duration_seconds"]);
        Assert.Equal("histogram", exposition.Types["disttrainer_step_phase_seconds"]);
        Assert.Equal(2, exposition.Value("disttrainer_step_duration_seconds_count"));
        Assert.Equal(0.020, exposition.Value("disttrainer_step_duration_seconds_sum"), 9);
        Assert.Equal(0.008, exposition.Value("disttrainer_step_phase_seconds_sum{phase=\"compute\"}"), 9);
        Assert.Equal(0.006, exposition.Value("disttrainer_step_phase_seconds_sum{phase=\"communication\"}"), 9);
        Assert.Equal(0.004, exposition.Value("disttrainer_step_phase_seconds_sum{phase=\"apply\"}"), 9);
        Assert.Equal(1, exposition.Value("disttrainer_checkpoint_duration_seconds_count"));
        Assert.Equal(0.125, exposition.Value("disttrainer_checkpoint_duration_seconds_sum"), 9);
    }

    [Fact]
    public void Every_counter_ends_in_total_and_no_metric_carries_a_step_label()
    {
        var metrics = new RunMetrics(_registry);
        metrics.OnStep(Step(batch: 0, step: 1, rows: 10));
        metrics.OnClusterStep(Report(1));

        var exposition = Exposition.Of(_registry);

        Assert.NotEmpty(exposition.Types);
        Assert.All(exposition.Types, t => Assert.Equal(t.Value == "counter", t.Key.EndsWith("_total", StringComparison.Ordinal)));
        Assert.All(exposition.Samples.Keys, sample => Assert.DoesNotContain("step=", sample, StringComparison.Ordinal));
    }
}
