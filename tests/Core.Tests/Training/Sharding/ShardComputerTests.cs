using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog.Core;
using Xunit;
using Xunit.Abstractions;

namespace DistTrainer.Core.Tests.Training.Sharding;

/// <summary>
/// The invariant of DESIGN §2: k workers computing shards of each global batch, summed by the
/// aggregator and applied once, give the weights (and batch-norm running statistics) of one process
/// training on the same batches, up to float summation order.
/// </summary>
public class ShardComputerTests(ITestOutputHelper output)
{
    private const int Features = 8;
    private const int Classes = 4;
    private const int BatchSize = 30;
    private const int Steps = 20;
    private const ulong Seed = 17;
    private const double Tolerance = 1e-5;

    private static readonly LossFunction Loss = LossFunction.Parse("cross-entropy");

    /// <summary>120 samples whose class is the largest of four fixed linear scores, so training makes progress.</summary>
    private static readonly Dataset Data = MakeData(120);

    private static Dataset MakeData(int count)
    {
        var random = new Random(5);
        var features = new float[count * Features];
        for (int i = 0; i < features.Length; i++) features[i] = (float)(random.NextDouble() * 4 - 2);
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            var scores = Enumerable.Range(0, Classes)
                .Select(c => Enumerable.Range(0, Features).Sum(f => features[s * Features + f] * Math.Sin(1 + c * Features + f)));
            labels[s] = scores.Select((score, c) => (score, c)).Max().c;
        }
        return new Dataset("synthetic", Features, features, labels, Classes);
    }

    private static OptimizerSettings Optimizer(string name) => name == "sgd"
        ? new OptimizerSettings("sgd", LearningRate: 0.05f, Momentum: 0.9f)
        : new OptimizerSettings("adam", LearningRate: 0.01f);

    /// <summary>Trains in one process with <see cref="LocalTrainer"/>; returns its model (weights and running statistics).</summary>
    private static Sequential TrainLocally(Sequential model, string optimizer)
    {
        using var runner = new BatchRunner(model, Loss);
        var result = new LocalTrainer(runner, OptimizerFactory.Create(Optimizer(optimizer), model.ParameterCount), Data, null,
            new TrainingPlan(BatchSize, 1, Steps, true, Seed), Logger.None).Run(new IgnoreProgress());
        Assert.Null(result.Failure);
        Assert.Equal(Steps, result.Steps);
        return model;
    }

    private static ShardedTrainer Sharded(Sequential initial, double[] weights, bool synchronised, string optimizer) =>
        new(initial, Loss, Data, weights, BatchSize, Seed, synchronised, Optimizer(optimizer));

    /// <summary>|a - b| &lt;= 1e-5 * max(1, |b|) element by element; logs the largest relative difference seen.</summary>
    private void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = 0;
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double relative = Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
            if (relative > largest) (largest, worst) = (relative, i);
        }
        output.WriteLine($"{what}: largest relative difference {largest:E2} at {worst} of {expected.Length}");
        Assert.True(largest <= Tolerance, $"{what}[{worst}]: {actual[worst]:G9} vs one process {expected[worst]:G9} ({largest:E2})");
    }

    private static float[] Download(Sequential model, DeviceSlice slice)
    {
        var values = new float[slice.Length];
        model.Backend.Download(slice, values);
        return values;
    }

    [Theory]
    [InlineData("sgd", new[] { 1.0 })]
    [InlineData("sgd", new[] { 1.0, 1.0 })]
    [InlineData("sgd", new[] { 1.0, 2.0, 5.0 })]
    [InlineData("adam", new[] { 1.0 })]
    [InlineData("adam", new[] { 1.0, 1.0 })]
    [InlineData("adam", new[] { 1.0, 2.0, 5.0 })]
    public void Shards_of_a_model_with_dropout_train_to_the_weights_of_one_process(string optimizer, double[] weights)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:8:16,relu,dropout:0.25,linear:16:12,tanh,linear:12:4"), backend, BatchSize);
        model.Initialize(3);
        using var sharded = Sharded(model, weights, synchronised: false, optimizer);

        for (long step = 0; step < Steps; step++) sharded.Step(step);
        TrainLocally(model, optimizer);

        Assert.Equal(weights.Length, sharded.Shards.Length);
        AssertClose(Download(model, model.Parameters), sharded.Parameters, "weights");
    }

    // Batch norm straight after a linear layer makes that layer's bias gradient zero but for
    // rounding noise, which Adam rescales to full-size steps that differ with the summation order:
    // Adam runs on a model whose batch-norm layers follow activations, so every gradient means something.
    private const string LinearThenBatchNorm = "linear:8:12,batchnorm:12,relu,dropout:0.2,linear:12:8,batchnorm:8,tanh,linear:8:4";
    private const string ActivationThenBatchNorm = "linear:8:12,tanh,batchnorm:12,dropout:0.2,linear:12:8,relu,batchnorm:8,linear:8:4";

    [Theory]
    [InlineData("sgd", LinearThenBatchNorm, new[] { 1.0 })]
    [InlineData("sgd", LinearThenBatchNorm, new[] { 1.0, 1.0 })]
    [InlineData("sgd", LinearThenBatchNorm, new[] { 1.0, 2.0, 5.0 })]
    [InlineData("sgd", ActivationThenBatchNorm, new[] { 1.0, 2.0, 5.0 })]
    [InlineData("adam", ActivationThenBatchNorm, new[] { 1.0 })]
    [InlineData("adam", ActivationThenBatchNorm, new[] { 1.0, 1.0 })]
    [InlineData("adam", ActivationThenBatchNorm, new[] { 1.0, 2.0, 5.0 })]
    public void Shards_with_synchronised_batch_norm_train_to_the_weights_and_running_statistics_of_one_process(string optimizer,
        string layers, double[] weights)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse(layers), backend, BatchSize);
        model.Initialize(3);
        using var sharded = Sharded(model, weights, synchronised: true, optimizer);

        for (long step = 0; step < Steps; step++) sharded.Step(step);
        TrainLocally(model, optimizer);

        AssertClose(Download(model, model.Parameters), sharded.Parameters, "weights");
        AssertClose(Download(model, model.Buffers), sharded.RunningStatistics, "running statistics");
        Assert.Equal(Steps, model.BatchNormLayers[0].Layer.BatchesTracked);
    }

    [Fact]
    public void Local_batch_norm_running_statistics_are_the_row_weighted_merge_of_unequal_shards()
    {
        // Each worker normalises with its own shard, so only the first batch-norm layer sees the
        // rows a single process would see: a shadow model given the server's weights every step
        // computes the global batch's moments and folds them into its running statistics.
        using var backend = new CpuBackend(1);
        using var shadow = new Sequential(ModelSpec.Parse("linear:8:12,batchnorm:12,relu,linear:12:4"), backend, BatchSize);
        shadow.Initialize(3);
        using var runner = new BatchRunner(shadow, Loss);
        var sampler = new BatchSampler(Data.Count, BatchSize, shuffle: true, Seed);
        using var sharded = Sharded(shadow, [1, 2, 5], synchronised: false, "adam");
        var batchMean = new float[12];
        var batchVariance = new float[12];

        for (long step = 0; step < Steps; step++)
        {
            backend.Upload(sharded.Parameters, shadow.Parameters);
            var indices = sampler.Batch((int)(step / sampler.BatchesPerEpoch), (int)(step % sampler.BatchesPerEpoch));
            runner.ComputeGradients(Data, indices, new(true, step, Seed, 0), indices.Length);
            sharded.Step(step);

            backend.Download(shadow.BatchNormLayers[0].Layer.BatchMean, batchMean);
            backend.Download(shadow.BatchNormLayers[0].Layer.BatchVariance, batchVariance);
            AssertClose(batchMean, sharded.StepMeans[0], $"step {step} batch mean");
            AssertClose(batchVariance, sharded.StepVariances[0], $"step {step} batch variance");
        }

        Assert.Equal([4, 7, 19], sharded.Shards.Select(s => s.Count));
        AssertClose(Download(shadow, shadow.Buffers), sharded.RunningStatistics, "running statistics");
    }

    [Fact]
    public void A_payload_holds_the_shard_gradient_and_its_batch_norm_moments()
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:8:6,batchnorm:6,linear:6:4"), backend, BatchSize);
        model.Initialize(2);
        using var runner = new BatchRunner(model, Loss);
        var weights = Download(model, model.Parameters);
        using var computerBackend = new CpuBackend(1);
        using var computer = new ShardComputer(model.Spec, Loss, Data, computerBackend, BatchSize, Seed, exchange: null);
        computer.LoadWeights(7, weights);
        int[] indices = [3, 14, 15, 92, 65];

        var shard = computer.Compute(0, 10, indices, 25, new float[computer.Layout.Length]);
        runner.ComputeGradients(Data, indices, new(true, 0, Seed, 10), 25);

        Assert.Equal(7, computer.WeightsVersion);
        Assert.Equal(model.ParameterCount + 12, shard.Payload.Length);
        Assert.Equal(Download(model, model.Gradients), computer.Layout.Gradients(shard.Payload).ToArray());
        Assert.Equal(Download(model, model.BatchNormLayers[0].Layer.BatchMean), computer.Layout.Mean(shard.Payload, 0).ToArray());
        Assert.Equal(Download(model, model.BatchNormLayers[0].Layer.BatchVariance), computer.Layout.Variance(shard.Payload, 0).ToArray());
        Assert.Equal(5, shard.Outcome.Rows);
        var ex = Assert.Throws<ArgumentException>(() => computer.LoadWeights(8, weights.AsSpan(1)));
        Assert.Contains($"weights version 8 has {weights.Length - 1} values", ex.Message);
    }

    /// <summary>
    /// Streamed, each layer's gradients are read back as backward finishes it: the payload is the whole read-back's, bit for
    /// bit, and each announcement comes once every gradient from its offset on holds its final value, the last layer first.
    /// </summary>
    [Fact]
    public void A_streamed_compute_announces_each_layers_gradients_once_final_last_layer_first_with_the_same_payload()
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:8:6,batchnorm:6,relu,linear:6:4"), backend, BatchSize);
        model.Initialize(3);
        var weights = Download(model, model.Parameters);
        using var computer = new ShardComputer(model.Spec, Loss, Data, backend, BatchSize, Seed, exchange: null);
        computer.LoadWeights(1, weights);
        int[] indices = [1, 2, 3, 5, 8, 13, 21, 34];
        var whole = computer.Compute(4, 20, indices, 30, new float[computer.Layout.Length]).Payload;
        var streamed = new float[computer.Layout.Length];
        Array.Fill(streamed, float.NaN);
        var announced = new List<int>();

        var output = computer.Compute(4, 20, indices, 30, streamed, from =>
        {
            Assert.Equal(whole.AsSpan(from, model.ParameterCount - from).ToArray(), streamed.AsSpan(from, model.ParameterCount - from).ToArray());
            Assert.True(from == 0 || float.IsNaN(streamed[from - 1]), $"gradients before {from} were read back early");
            announced.Add(from);
        });

        // linear 6->4 at 6*8+6+6+6 = 66, batch norm's weight and bias at 54, the first linear at 0; relu has no parameters.
        Assert.Equal([66, 54, 0], announced);
        Assert.Equal(whole, output.Payload);
        Assert.Equal(8, output.Outcome.Rows);
    }

    /// <summary>A shard's seconds are its compute's: what the caller does with the final gradients (sends them) is not counted.</summary>
    [Fact]
    public void A_streamed_computes_seconds_leave_out_the_time_its_caller_took()
    {
        using var backend = new CpuBackend(1);
        using var computer = new ShardComputer(ModelSpec.Parse("linear:8:6,relu,linear:6:4"), Loss, Data, backend, BatchSize, Seed, exchange: null);
        computer.LoadWeights(1, new float[computer.ParameterCount]);

        var output = computer.Compute(0, 0, [1, 2, 3], 3, new float[computer.Layout.Length], _ => Thread.Sleep(500));

        Assert.InRange(output.Seconds, 0, 0.5);
    }

    private sealed class IgnoreProgress : ITrainingObserver
    {
        public void OnStep(StepReport report)
        {
        }

        public void OnEpoch(EpochReport report)
        {
        }
    }
}
