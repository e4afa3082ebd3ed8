using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Metrics;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>A live embedded cluster run with --metrics-port, scraped over HTTP as Prometheus would.</summary>
public sealed class MetricsScrapeTests
{
    // 60 samples in batches of 20 for 2 epochs: 6 steps of 2 shards, 120 samples.
    private static readonly string[] Run =
    [
        "--layers", "linear:16:8,tanh,linear:8:4", "--optimizer", "momentum", "--lr", "0.05", "--batch-size", "20",
        "--epochs", "2", "--seed", "5", "--threads", "1", "--device", "cpu", "--train-samples", "60", "--workers", "2",
        "--shard-sizing", "equal",
    ];

    [Fact]
    public void A_cluster_run_serves_its_steps_samples_times_bytes_and_each_worker_s_shards_while_it_runs_and_after()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        int port = Ports.Free();
        var recorder = new TrainingRecorder();
        var clusterSteps = new ClusterStepRecorder();
        var midRun = new ScrapeAfterFirstEpoch(port);
        Exposition served;
        using (var run = TrainingRun.Prepare(TrainArguments.Parse([.. Run, "--data-dir", data.Path, "--metrics-port", port.ToString(),
                   "--save", Path.Combine(data.Path, "model.safetensors"), "--checkpoint-every", "3"]), Logger.None))
        {
            run.Execute(new TrainingObservers(recorder, clusterSteps, midRun), Logger.None, CancellationToken.None);
            served = Exposition.Scrape(port);
        }

        Assert.Equal(3, midRun.Served!.Value("disttrainer_steps_applied_total"));
        Assert.Equal(6, served.Value("disttrainer_steps_applied_total"));
        Assert.Equal(120, served.Value("disttrainer_samples_total"));
        Assert.Equal(6, served.Value("disttrainer_step_duration_seconds_count"));
        Assert.Equal(6, served.Value("disttrainer_step_phase_seconds_count{phase=\"compute\"}"));
        Assert.Equal(clusterSteps.Steps[^1].BytesSent, served.Value("disttrainer_data_plane_sent_bytes_total"));
        Assert.Equal(clusterSteps.Steps[^1].BytesReceived, served.Value("disttrainer_data_plane_received_bytes_total"));
        Assert.Equal(2, served.Value("disttrainer_workers_registered"));
        Assert.Equal(0, served.Value("disttrainer_workers_lost_total"));
        Assert.Equal(recorder.Steps[^1].Loss, served.Value("disttrainer_train_loss"), 9);
        // Periodic checkpoints after steps 3 and 6, then the final --save.
        Assert.Equal(3, served.Value("disttrainer_checkpoint_duration_seconds_count"));

        double reassigned = served.Value("disttrainer_shards_reassigned_total");
        Assert.Equal(12 + reassigned, served.Sum("disttrainer_worker_shards_computed_total"));
        foreach (var worker in new[] { "worker-1", "worker-2" })
        {
            Assert.True(served.Value($"disttrainer_worker_shards_computed_total{{node=\"{worker}\"}}") > 0, worker);
            Assert.True(served.Value($"disttrainer_worker_data_plane_received_bytes_total{{node=\"{worker}\"}}") > 0, worker);
        }

        Assert.Equal("counter", served.Types["disttrainer_steps_applied_total"]);
        Assert.Equal("counter", served.Types["disttrainer_worker_shards_computed_total"]);
        Assert.Equal("histogram", served.Types["disttrainer_step_duration_seconds"]);
        Assert.Equal("histogram", served.Types["disttrainer_worker_compute_seconds"]);
        Assert.Equal("gauge", served.Types["disttrainer_train_loss"]);
        Assert.Equal("counter", served.Types["disttrainer_gc_pause_seconds_total"]);
        Assert.All(served.Samples.Keys, sample => Assert.DoesNotContain("step=", sample, StringComparison.Ordinal));
        Assert.ThrowsAny<HttpRequestException>(() => Exposition.Scrape(port));
    }

    /// <summary>Scrapes once, at the end of the first epoch: what Prometheus sees in the middle of a run.</summary>
    private sealed class ScrapeAfterFirstEpoch(int port) : ITrainingObserver
    {
        public Exposition? Served { get; private set; }

        public void OnStep(StepReport report)
        {
        }

        public void OnEpoch(EpochReport report) => Served ??= Exposition.Scrape(port);
    }
}
