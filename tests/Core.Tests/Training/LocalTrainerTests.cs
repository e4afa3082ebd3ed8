using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Tests.Testing;
using DistTrainer.Core.Training;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Core.Tests.Training;

public class LocalTrainerTests
{
    private sealed class Recorder : ITrainingObserver
    {
        public List<StepReport> Steps { get; } = [];
        public List<EpochReport> Epochs { get; } = [];
        public void OnStep(StepReport report) => Steps.Add(report);
        public void OnEpoch(EpochReport report) => Epochs.Add(report);
    }

    private static Dataset Xor => new("xor", 2, [0, 0, 0, 1, 1, 0, 1, 1], [0, 1, 1, 0], 2);

    [Fact]
    public void Counts_steps_and_epochs_and_evaluates_after_each_epoch()
    {
        var data = new Dataset("ten", 2, new float[20], new int[10], 2);
        using var model = new Sequential(ModelSpec.Parse("linear:2:2"), new ReferenceBackend(), 4);
        model.Initialize(1);
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd", LearningRate: 1f), model.ParameterCount);
        var recorder = new Recorder();
        var result = new LocalTrainer(runner, optimizer, data, data, new TrainingPlan(4, 2, null, false, 1), Logger.None).Run(recorder);

        Assert.Null(result.Failure);
        Assert.Equal(6, result.Steps);
        Assert.Equal([1L, 2, 3, 4, 5, 6], recorder.Steps.Select(s => s.Step));
        Assert.Equal([0, 1, 2, 0, 1, 2], recorder.Steps.Select(s => s.Batch));
        Assert.Equal([3L, 6], recorder.Epochs.Select(e => e.Step));
        Assert.All(recorder.Epochs, e => Assert.Equal(1.0, e.TestAccuracy));
    }

    [Fact]
    public void Trains_xor_to_a_small_loss()
    {
        using var model = new Sequential(ModelSpec.Parse("linear:2:4,tanh,linear:4:1"), new ReferenceBackend(), 4);
        model.Initialize(3);
        using var runner = new BatchRunner(model, LossFunction.Parse("bce-with-logits"));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam", LearningRate: 0.05f), model.ParameterCount);
        var result = new LocalTrainer(runner, optimizer, Xor, Xor, new TrainingPlan(4, 1, 1500, false, 1), Logger.None).Run(new Recorder());
        Assert.True(result.Epochs[^1].TestLoss < 0.01, $"loss {result.Epochs[^1].TestLoss}");
        Assert.Equal(1.0, result.Epochs[^1].TestAccuracy);
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_before_its_update_and_restores_the_running_statistics()
    {
        var data = new Dataset("poisoned", 2, [1, 2, 3, 4, 5, 6, 7, float.NaN], [0, 1, 0, 1], 2);
        using var model = new Sequential(ModelSpec.Parse("linear:2:3,batchnorm:3,linear:3:2"), new ReferenceBackend(), 4);
        model.Initialize(1);
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd", LearningRate: 0.1f), model.ParameterCount);
        var recorder = new Recorder();
        var result = new LocalTrainer(runner, optimizer, data, null, new TrainingPlan(2, 1, 50, false, 1), Logger.None).Run(recorder);

        Assert.Equal("the loss became NaN at step 2 (epoch 1, batch 2); the weights of step 1 are kept", result.Failure);
        Assert.Equal(1, result.Steps);
        Assert.Single(recorder.Steps);
        Assert.All(ReferenceBackend.View(model.Buffers).ToArray(), v => Assert.True(double.IsFinite(v)));
        Assert.Equal(result.Steps, model.BatchNormLayers[0].Layer.BatchesTracked);
    }

    [Fact]
    public void A_finite_but_huge_gradient_that_would_overflow_the_optimizers_state_stops_the_run_with_the_last_good_weights()
    {
        // Inputs of 1e30 give a finite gradient whose square overflows Adam's second moment: taken, that step would
        // freeze the weights for good (every later update divided by infinity) without a NaN anywhere.
        var data = new Dataset("huge", 2, [1e30f, -1e30f, 1e30f, 1e30f], [0, 1], 2);
        using var model = new Sequential(ModelSpec.Parse("linear:2:2"), new ReferenceBackend(), 2);
        model.Initialize(1);
        var initial = ReferenceBackend.View(model.Parameters).ToArray();
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam", LearningRate: 0.01f), model.ParameterCount);

        var result = new LocalTrainer(runner, optimizer, data, null, new TrainingPlan(2, 1, null, false, 1), Logger.None).Run(new Recorder());

        Assert.Equal("the optimizer refused step 1: it would make the optimizer state exp_avg_sq NaN or infinite (a huge gradient); " +
                     "the weights of step 0 are kept", result.Failure);
        Assert.Equal(0, result.Steps);
        Assert.Equal(initial, ReferenceBackend.View(model.Parameters).ToArray());
        Assert.Equal(0, optimizer.StepCount);
        Assert.All(optimizer.State("exp_avg_sq").ToArray(), v => Assert.Equal(0f, v));
    }

    private sealed class AllocationRecorder : ITrainingObserver
    {
        public List<long> AllocatedAtStep { get; } = new(capacity: 1000);
        public void OnStep(StepReport report) => AllocatedAtStep.Add(GC.GetAllocatedBytesForCurrentThread());
        public void OnEpoch(EpochReport report)
        {
        }
    }

    [Fact]
    public void A_training_step_allocates_nothing_once_warm()
    {
        var random = new Random(2);
        var features = new float[512 * 20];
        for (int i = 0; i < features.Length; i++) features[i] = random.NextSingle();
        var data = new Dataset("random", 20, features, Enumerable.Range(0, 512).Select(i => i % 4).ToArray(), 4);
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:20:16,batchnorm:16,relu,dropout:0.2,linear:16:4"), backend, 8);
        model.Initialize(1);
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam"), model.ParameterCount);
        var recorder = new AllocationRecorder();
        var result = new LocalTrainer(runner, optimizer, data, null, new TrainingPlan(8, 1, 160, true, 1), Logger.None).Run(recorder);
        Assert.Null(result.Failure);
        Assert.Equal(160, recorder.AllocatedAtStep.Count);
        Assert.Equal(0, SteadyAllocation.FewestBytes(recorder.AllocatedAtStep, warmUp: 10));
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource source) : ITrainingObserver
    {
        public List<EpochReport> Epochs { get; } = [];
        public void OnStep(StepReport report)
        {
            if (report.Step == steps) source.Cancel();
        }

        public void OnEpoch(EpochReport report) => Epochs.Add(report);
    }

    [Fact]
    public void Cancellation_stops_between_steps_and_reports_the_partial_epoch()
    {
        var data = new Dataset("ten", 2, Enumerable.Range(0, 20).Select(i => i * 0.1f).ToArray(), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 2);
        using var model = new Sequential(ModelSpec.Parse("linear:2:2"), new ReferenceBackend(), 2);
        model.Initialize(1);
        using var runner = new BatchRunner(model, LossFunction.Parse("cross-entropy"));
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd"), model.ParameterCount);
        using var source = new CancellationTokenSource();
        var observer = new CancelAfter(7, source);
        var result = new LocalTrainer(runner, optimizer, data, null, new TrainingPlan(2, 10, null, false, 1), Logger.None)
            .Run(observer, source.Token);

        Assert.True(result.Interrupted);
        Assert.Null(result.Failure);
        Assert.Equal(7, result.Steps);
        Assert.Equal(7, optimizer.StepCount);
        Assert.Equal([5L, 7], observer.Epochs.Select(e => e.Step));
        Assert.Equal([1, 2], observer.Epochs.Select(e => e.Epoch));
    }
}
