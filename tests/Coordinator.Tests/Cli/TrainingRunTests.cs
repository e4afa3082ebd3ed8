using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

public sealed class TrainingRunTests
{
    private static readonly string[] Run =
    [
        "--layers", "linear:16:8,tanh,linear:8:4", "--optimizer", "momentum", "--lr", "0.05", "--batch-size", "20",
        "--epochs", "2", "--seed", "5", "--threads", "1", "--device", "cpu", "--train-samples", "60", "--test-samples", "30",
    ];

    [Fact]
    public void Cuts_the_data_to_the_first_samples_asked_for()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);

        using var run = Prepare(data, "0");

        Assert.Equal(60, run.Train.Count);
        Assert.Null(run.Test);
        Assert.Equal(20, run.BatchSize);
    }

    [Fact]
    public void After_a_cluster_run_the_model_holds_the_weights_one_process_reaches_on_the_same_cut_of_the_data()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        string[] options = [.. Run, "--data-dir", data.Path];

        var single = TrainAndRead(TrainArguments.Parse([.. options, "--workers", "0"]), out var singleOutcome);
        var cluster = TrainAndRead(TrainArguments.Parse([.. options, "--workers", "2"]), out var clusterOutcome);

        Assert.Equal(6, singleOutcome.Result.Steps);
        Assert.Equal(6, clusterOutcome.Cluster!.AppliedSteps.Count);
        for (int i = 0; i < single.Length; i++)
            Assert.True(Math.Abs(single[i] - cluster[i]) <= 1e-5 * Math.Max(1, Math.Abs(single[i])),
                $"parameter {i}: one process {single[i]}, cluster {cluster[i]}");
        Assert.NotEqual(Initial(TrainArguments.Parse([.. options, "--workers", "0"])), cluster);
    }

    [Fact]
    public void Sees_every_applied_gradient_in_one_process_and_on_the_cluster()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        foreach (var workers in new[] { "0", "2" })
        {
            var gradients = new GradientLog();
            using var run = Prepare(data, workers);
            run.Execute(new TrainingRecorder(), Logger.None, CancellationToken.None, gradients);

            Assert.Equal([0L, 1, 2, 3, 4, 5], gradients.Steps);
            Assert.All(gradients.Norms, n => Assert.True(n > 0 && double.IsFinite(n)));
        }
    }

    [Fact]
    public void The_hook_before_the_nodes_stop_runs_once_after_the_last_step_of_a_cluster_run_and_never_in_one_process()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        foreach (var workers in new[] { "0", "2" })
        {
            var recorder = new TrainingRecorder();
            var stepsReportedAtHook = new List<int>();
            using var run = Prepare(data, workers);
            run.BeforeNodesStop = () => stepsReportedAtHook.Add(recorder.Steps.Count);

            run.Execute(recorder, Logger.None, CancellationToken.None);

            Assert.Equal(workers == "0" ? [] : [6], stepsReportedAtHook);
        }
    }

    [Fact]
    public void A_cluster_run_reports_each_applied_step_s_times_and_counts_and_a_local_run_reports_none()
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 100, rows: 4, columns: 4, classes: 4);
        var local = new ClusterStepRecorder();
        var cluster = new ClusterStepRecorder();

        using (var run = Prepare(data, "0"))
            run.Execute(local, Logger.None, CancellationToken.None);
        using (var run = Prepare(data, "2"))
            run.Execute(new TrainingObservers(cluster), Logger.None, CancellationToken.None);

        Assert.Empty(local.Steps);
        Assert.Equal([0L, 1, 2, 3, 4, 5], cluster.Steps.Select(r => r.Step));
        Assert.All(cluster.Steps, r =>
        {
            Assert.Equal(2, r.WorkersReady);
            Assert.Equal(0, r.WorkersLost);
            Assert.True(r.StepSeconds > 0 && r.ExchangeSeconds > 0 && r.ComputeSeconds > 0 && r.ApplySeconds > 0, r.ToString());
        });
        var sent = cluster.Steps.Select(r => r.BytesSent).ToArray();
        Assert.True(sent.Zip(sent.Skip(1)).All(p => p.Second >= p.First) && sent[^1] > sent[0], string.Join(", ", sent));
    }

    /// <summary>The test run on <paramref name="data"/> with <paramref name="workers"/> workers ("0": one process).</summary>
    private static TrainingRun Prepare(TempDirectory data, string workers) =>
        TrainingRun.Prepare(TrainArguments.Parse([.. Run, "--data-dir", data.Path, "--workers", workers]), Logger.None);

    private static float[] TrainAndRead(TrainOptions options, out RunOutcome outcome)
    {
        using var run = TrainingRun.Prepare(options, Logger.None);
        outcome = run.Execute(new TrainingRecorder(), Logger.None, CancellationToken.None, akka: EmbeddedCluster.SerializeMessages);
        return Parameters(run);
    }

    private static float[] Initial(TrainOptions options)
    {
        using var run = TrainingRun.Prepare(options, Logger.None);
        return Parameters(run);
    }

    private static float[] Parameters(TrainingRun run)
    {
        var parameters = new float[run.Model.ParameterCount];
        run.Backend.Download(run.Model.Parameters, parameters);
        return parameters;
    }

    private sealed class GradientLog : IGradientObserver
    {
        public List<long> Steps { get; } = new();
        public List<double> Norms { get; } = new();

        public void OnGradients(long step, ReadOnlySpan<float> gradients)
        {
            Steps.Add(step);
            Norms.Add(System.Numerics.Tensors.TensorPrimitives.Norm(gradients));
        }
    }
}
