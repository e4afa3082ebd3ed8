using DistTrainer.Core.Training;
using Prometheus;

namespace DistTrainer.Cluster.Metrics;

/// <summary>
/// The coordinator's metrics of one run, fed as an observer of it: steps and samples applied, the loss, each cluster
/// step's time and its parts, and the run's counts (data-plane bytes, shards reassigned and rejected, results dropped,
/// workers). A <see cref="ClusterStepReport"/> carries totals since the run began: each counter is raised to its total,
/// so a report that repeats a total adds nothing and one that skips ahead loses nothing. No label names a step.
/// </summary>
public sealed class RunMetrics : ITrainingObserver
{
    private static readonly double[] StepBuckets = Histogram.ExponentialBuckets(0.0005, 2, 16);
    private static readonly double[] CheckpointBuckets = Histogram.ExponentialBuckets(0.001, 2, 16);

    private readonly Counter _steps;
    private readonly Counter _samples;
    private readonly Gauge _loss;
    private readonly Gauge _accuracy;
    private readonly Gauge _testLoss;
    private readonly Gauge _testAccuracy;
    private readonly Histogram _stepSeconds;
    private readonly Histogram _phaseSeconds;
    private readonly Counter _bytesSent;
    private readonly Counter _bytesReceived;
    private readonly Counter _reassigned;
    private readonly Counter _restarts;
    private readonly Counter _rejected;
    private readonly Counter _duplicates;
    private readonly Counter _late;
    private readonly Gauge _workersRegistered;
    private readonly Counter _workersLost;
    private readonly Histogram _checkpointSeconds;

    public RunMetrics(CollectorRegistry registry)
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _steps = factory.CreateCounter("disttrainer_steps_applied_total", "Optimizer steps applied in this run.");
        _samples = factory.CreateCounter("disttrainer_samples_total", "Training samples in the steps applied in this run.");
        _loss = factory.CreateGauge("disttrainer_train_loss", "Mean training loss of the last applied step's batch.");
        _accuracy = factory.CreateGauge("disttrainer_train_accuracy", "Training accuracy of the last applied step's batch (0-1).");
        _testLoss = factory.CreateGauge("disttrainer_test_loss", "Test-set loss after the last finished epoch.");
        _testAccuracy = factory.CreateGauge("disttrainer_test_accuracy", "Test-set accuracy after the last finished epoch (0-1).");
        _stepSeconds = factory.CreateHistogram("disttrainer_step_duration_seconds", "A cluster step from its plan to its applied weights.",
            new HistogramConfiguration { Buckets = StepBuckets });
        _phaseSeconds = factory.CreateHistogram("disttrainer_step_phase_seconds",
            "A cluster step's parts: the slowest shard's compute, the communication beyond it, the parameter server's apply.",
            new HistogramConfiguration { Buckets = StepBuckets, LabelNames = ["phase"] });
        _bytesSent = factory.CreateCounter("disttrainer_data_plane_sent_bytes_total", "Bytes the parameter server sent on the data plane.");
        _bytesReceived = factory.CreateCounter("disttrainer_data_plane_received_bytes_total", "Bytes the parameter server received on the data plane.");
        _reassigned = factory.CreateCounter("disttrainer_shards_reassigned_total", "Shards given to another worker (failed, late or lost).");
        _restarts = factory.CreateCounter("disttrainer_step_restarts_total", "Steps planned again from the start.");
        _rejected = factory.CreateCounter("disttrainer_shards_rejected_total", "Shard results rejected (a NaN or infinite gradient or loss, or a gradient norm far outside its step's others).");
        _duplicates = factory.CreateCounter("disttrainer_duplicates_dropped_total", "Shard results dropped because another copy was already in.");
        _late = factory.CreateCounter("disttrainer_late_results_dropped_total", "Shard results dropped because their step was already applied.");
        _workersRegistered = factory.CreateGauge("disttrainer_workers_registered", "Workers registered and ready to compute.");
        _workersLost = factory.CreateCounter("disttrainer_workers_lost_total", "Workers lost during the run (left, unreachable or timed out).");
        _checkpointSeconds = factory.CreateHistogram("disttrainer_checkpoint_duration_seconds",
            "Writing one checkpoint (periodic or final), from the weights to the renamed file.",
            new HistogramConfiguration { Buckets = CheckpointBuckets });
    }

    public void OnStep(StepReport report)
    {
        _steps.Inc();
        _samples.Inc(report.Rows);
        _loss.Set(report.Loss);
        _accuracy.Set(report.Accuracy);
    }

    public void OnEpoch(EpochReport report)
    {
        if (report.TestLoss is { } loss) _testLoss.Set(loss);
        if (report.TestAccuracy is { } accuracy) _testAccuracy.Set(accuracy);
    }

    public void OnClusterStep(ClusterStepReport report)
    {
        _stepSeconds.Observe(report.StepSeconds);
        _phaseSeconds.WithLabels("compute").Observe(report.ComputeSeconds);
        _phaseSeconds.WithLabels("communication").Observe(report.CommunicationSeconds);
        _phaseSeconds.WithLabels("apply").Observe(report.ApplySeconds);
        _bytesSent.IncTo(report.BytesSent);
        _bytesReceived.IncTo(report.BytesReceived);
        _reassigned.IncTo(report.ShardsReassigned);
        _restarts.IncTo(report.StepRestarts);
        _rejected.IncTo(report.Rejected);
        _duplicates.IncTo(report.Duplicates);
        _late.IncTo(report.Late);
        _workersRegistered.Set(report.WorkersReady);
        _workersLost.IncTo(report.WorkersLost);
    }

    /// <summary>A checkpoint was written in <paramref name="seconds"/>.</summary>
    public void OnCheckpoint(double seconds) => _checkpointSeconds.Observe(seconds);
}
