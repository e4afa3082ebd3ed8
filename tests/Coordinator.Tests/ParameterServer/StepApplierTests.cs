using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Tests.Testing;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Xunit;
using static DistTrainer.Coordinator.Tests.ParameterServer.HandDrivenSteps;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>The apply sequence on the xor model with plain SGD: sum, finite check, observer, optimizer step, batch-norm fold.</summary>
public sealed class StepApplierTests : IDisposable
{
    private readonly XorTraining _training = new();

    public void Dispose() => _training.Dispose();

    private static StepApplier Applier(Sequential model, IOptimizer optimizer, IGradientObserver? observer, int shards = 1) =>
        new(model, optimizer, observer, shards, TimeSpan.FromSeconds(30), new PayloadPool());

    private float[] Payload(Func<int, float> gradient) => Enumerable.Range(0, _training.Layout.Length).Select(gradient).ToArray();

    [Fact]
    public void Two_shards_are_summed_in_shard_order_and_stepped_by_SGD_into_exact_new_weights()
    {
        using var applier = Applier(_training.Model, _training.Optimizer(), null);
        var first = Payload(i => 0.25f * i);
        var second = Payload(i => i % 2 == 0 ? -1f : 0.5f);

        Assert.True(applier.TryApply(CompleteStep.Of(applier.Layout, 0, first, second), out var outcome, out var failure));

        Assert.Null(failure);
        Assert.Equal(new BatchOutcome(1 + 2, 2, 4), outcome);
        Assert.Equal(1, applier.Version);
        var stepped = _training.InitialWeights.Select((w, i) => w - XorTraining.LearningRate * (first[i] + second[i])).ToArray();
        Assert.Equal(stepped, applier.Parameters.ToArray());

        Assert.True(applier.TryApply(CompleteStep.Of(applier.Layout, 1, Payload(_ => 1f)), out _, out _));
        Assert.Equal(2, applier.Version);
        Assert.Equal(stepped.Select(w => w - XorTraining.LearningRate), applier.Parameters.ToArray());
    }

    [Fact]
    public void A_summed_gradient_that_is_not_finite_is_not_applied_and_says_why()
    {
        var observer = new RecordingObserver();
        using var applier = Applier(_training.Model, _training.Optimizer(), observer);

        Assert.False(applier.TryApply(CompleteStep.Of(applier.Layout, 0, _training.Result(3e38f), _training.Result(3e38f)),
            out _, out var failure));

        Assert.Equal("the summed gradient of step 1 is not finite (each shard was); the weights of step 0 are kept", failure);
        Assert.Equal(0, applier.Version);
        Assert.Equal(_training.InitialWeights, applier.Parameters.ToArray());
        Assert.Empty(observer.Seen);
    }

    [Fact]
    public void A_finite_gradient_that_would_make_Adams_state_infinite_is_refused_and_the_weights_are_kept()
    {
        using var applier = Applier(_training.Model, OptimizerFactory.Create(new OptimizerSettings("adam"), _training.Model.ParameterCount), null);

        Assert.False(applier.TryApply(CompleteStep.Of(applier.Layout, 0, _training.Result(1e30f)), out _, out var failure));

        Assert.Equal("the optimizer refused step 1: it would make the optimizer state exp_avg_sq NaN or infinite (a huge gradient); " +
                     "the weights of step 0 are kept", failure);
        Assert.Equal(0, applier.Version);
        Assert.Equal(_training.InitialWeights, applier.Parameters.ToArray());
    }

    [Fact]
    public void The_gradient_observer_sees_each_applied_steps_summed_gradient()
    {
        var observer = new RecordingObserver();
        using var applier = Applier(_training.Model, _training.Optimizer(), observer);

        applier.TryApply(CompleteStep.Of(applier.Layout, 0, _training.Result(0.25f), _training.Result(0.5f)), out _, out _);

        var (step, gradients) = Assert.Single(observer.Seen);
        Assert.Equal(0, step);
        Assert.Equal(Enumerable.Repeat(0.75f, _training.Model.ParameterCount), gradients);
    }

    [Fact]
    public void The_shards_batch_statistics_are_merged_and_folded_into_the_running_ones()
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:2:2,batchnorm:2"), backend, 4);
        model.Initialize(XorTraining.Seed);
        using var applier = Applier(model, OptimizerFactory.Create(new OptimizerSettings("sgd", 0.5f), model.ParameterCount), null);
        float[] Statistics(float mean0, float mean1)
        {
            var payload = new float[applier.Layout.Length];
            applier.Layout.Mean(payload, 0)[0] = mean0;
            applier.Layout.Mean(payload, 0)[1] = mean1;
            return payload;
        }

        // Means (1, 2) and (3, 4) over two rows each, no variance within a shard: merged mean (2, 3),
        // biased variance 1 over four rows (unbiased 4/3). Running statistics start at mean 0, variance 1.
        Assert.True(applier.TryApply(CompleteStep.Of(applier.Layout, 0, Statistics(1, 2), Statistics(3, 4)), out _, out _));
        applier.WriteModel();

        var buffers = new float[model.BufferCount];
        backend.Download(model.Buffers, buffers);
        float variance = 0.9f + 0.1f * 4f / 3f;
        Assert.Equal(new[] { 0.2f, 0.3f, variance, variance }, buffers, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(1, model.BatchNormLayers[0].Layer.BatchesTracked);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void Key_ranges_stepped_at_the_same_time_give_the_unsharded_weights_state_and_running_statistics_bit_for_bit(int shards)
    {
        const string layers = "linear:5:7,batchnorm:7,relu,linear:7:3,batchnorm:3";
        var (weights, state, buffers) = Run(layers, 1);
        var (shardedWeights, shardedState, shardedBuffers) = Run(layers, shards);

        Assert.Equal(Bits(weights), Bits(shardedWeights));
        Assert.Equal(Bits(state), Bits(shardedState));
        Assert.Equal(Bits(buffers), Bits(shardedBuffers));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Key_ranges_placed_with_servers_of_their_own_and_gathered_give_the_unsharded_weights_state_and_statistics_bit_for_bit(int shards)
    {
        const string layers = "linear:5:7,batchnorm:7,relu,linear:7:3,batchnorm:3";
        var (weights, state, buffers) = Run(layers, 1);
        var (placedWeights, placedState, placedBuffers) = Run(layers, shards, placed: true);

        Assert.Equal(Bits(weights), Bits(placedWeights));
        Assert.Equal(Bits(state), Bits(placedState));
        Assert.Equal(Bits(buffers), Bits(placedBuffers));
    }

    [Fact]
    public void Placed_ranges_leave_no_whole_state_here_until_gathered_at_the_current_version_and_the_observer_sees_their_gradient()
    {
        var observer = new RecordingObserver();
        using var applier = Applier(_training.Model, _training.Optimizer(), observer, shards: 2);
        var servers = Served(applier.Place());
        var step = CompleteStep.Of(applier.Layout, 0, _training.Result(0.25f), _training.Result(0.5f));
        var stale = Gather(servers);

        Assert.True(applier.TryCommitPlaced(step, StepEach(servers, step, observed: true), out var outcome, out _));
        foreach (var server in servers) server.Commit();

        Assert.Equal(1, applier.Version);
        Assert.Equal(4, outcome.Rows);
        Assert.Equal(Enumerable.Repeat(0.75f, _training.Model.ParameterCount), Assert.Single(observer.Seen).Gradients);
        Assert.False(applier.HoldsCurrentState);
        Assert.Equal(0, applier.WriteLastWholeState());
        Assert.Equal(_training.InitialWeights, ModelWeights());
        Assert.Equal("key range 0 was gathered at version 0, not 1",
            Assert.Throws<InvalidOperationException>(() => applier.Gathered(stale)).Message);
        applier.Gathered(Gather(servers));
        Assert.Equal(1, applier.WriteLastWholeState());
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * 0.75f), ModelWeights(), (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void A_range_refusing_its_step_makes_the_placed_step_fail_with_the_unsharded_reason_and_the_version_stays()
    {
        using var applier = Applier(_training.Model, _training.Optimizer(), null, shards: 2);
        var servers = Served(applier.Place());
        var step = CompleteStep.Of(applier.Layout, 0, _training.Result(3e38f), _training.Result(3e38f));

        Assert.False(applier.TryCommitPlaced(step, StepEach(servers, step, observed: false), out _, out var failure));

        Assert.Equal("the summed gradient of step 1 is not finite (each shard was); the weights of step 0 are kept", failure);
        Assert.Equal(0, applier.Version);
    }

    /// <summary>Servers of the ranges handed over, as a range's host builds them from what it is sent.</summary>
    private static RangeServer[] Served(IReadOnlyList<HostRange> ranges) => [.. ranges.Select(range => RangeServer.Hosting(range, new PayloadPool()))];

    private static RangeStepped[] StepEach(IReadOnlyList<RangeServer> servers, StepAggregator step, bool observed) =>
    [
        .. servers.Select((server, range) =>
        {
            var gradient = new float[server.Range.Length];
            string? refusal = server.SumAndStep(step, gradient, out bool finite);
            return new RangeStepped(range, step.Step, finite, refusal, [], observed ? gradient : null,
                observed && finite && refusal is null ? server.NextWeights.ToArray() : null);
        }),
    ];

    private static RangeGathered[] Gather(IReadOnlyList<RangeServer> servers) =>
        [.. servers.Select((server, range) => new RangeGathered(range, server.Version, server.Weights.Array.ToArray(), server.CopyState()))];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_step_over_key_ranges_allocates_nothing_on_the_parameter_servers_thread(int shards)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:5:7,batchnorm:7,relu,linear:7:3,batchnorm:3"), backend, 4);
        model.Initialize(XorTraining.Seed);
        using var applier = Applier(model, OptimizerFactory.Create(new OptimizerSettings("adam"), model.ParameterCount), null, shards);
        var step = CompleteStep.Of(applier.Layout, 0, Enumerable.Range(0, applier.Layout.Length).Select(i => 1e-3f * i).ToArray());

        Assert.Equal(0, SteadyAllocation.FewestBytes(() => applier.TryApply(step, out _, out _)));
    }

    /// <summary>
    /// Over three ranges, the last element goes non-finite: a huge gradient that Adam's state squares to infinity (refused
    /// by the guard), or two shards whose sum overflows (the range is never stepped, while the others already were).
    /// </summary>
    [Theory]
    [InlineData(1e30f, 1, "the optimizer refused step 2: it would make the optimizer state exp_avg_sq NaN or infinite")]
    [InlineData(3e38f, 2, "the summed gradient of step 2 is not finite (each shard was); the weights of step 1 are kept")]
    public void One_range_going_non_finite_keeps_every_range_at_the_last_good_step(float last, int shards, string failureStart)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse("linear:2:3,batchnorm:3,linear:3:2"), backend, 4);
        model.Initialize(XorTraining.Seed);
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam"), model.ParameterCount);
        using var applier = Applier(model, optimizer, null, 3);
        var good = Enumerable.Range(0, applier.Layout.Length).Select(i => 0.01f * i).ToArray();
        Assert.True(applier.TryApply(CompleteStep.Of(applier.Layout, 0, good), out _, out _));
        float[] weights = applier.Parameters.ToArray(), expAvg = optimizer.State("exp_avg").ToArray(), expAvgSq = optimizer.State("exp_avg_sq").ToArray();
        var bad = (float[])good.Clone();
        bad[model.ParameterCount - 1] = last;

        Assert.False(applier.TryApply(CompleteStep.Of(applier.Layout, 1, Enumerable.Repeat(bad, shards).ToArray()), out _, out var failure));

        Assert.StartsWith(failureStart, failure);
        Assert.Equal(1, applier.Version);
        Assert.Equal(weights, applier.Parameters.ToArray());
        Assert.Equal(expAvg, optimizer.State("exp_avg").ToArray());
        Assert.Equal(expAvgSq, optimizer.State("exp_avg_sq").ToArray());
        Assert.True(applier.TryApply(CompleteStep.Of(applier.Layout, 1, good), out _, out _));
    }

    [Fact]
    public void The_state_between_two_steps_is_written_into_the_model_and_a_step_stopped_half_way_writes_nothing()
    {
        using (var applier = Applier(_training.Model, _training.Optimizer(), null))
        {
            Assert.True(applier.TryApply(CompleteStep.Of(applier.Layout, 0, Payload(_ => 1f)), out _, out _));
            Assert.Equal(1, applier.WriteLastWholeState());
            Assert.Equal(applier.Parameters.ToArray(), ModelWeights());
        }
        var written = ModelWeights();
        using var broken = Applier(_training.Model, _training.Optimizer(), new ThrowingObserver());

        Assert.Throws<InvalidOperationException>(() => broken.TryApply(CompleteStep.Of(broken.Layout, 0, Payload(_ => 1f)), out _, out _));

        Assert.Null(broken.WriteLastWholeState());
        Assert.NotEqual(written, broken.Parameters.ToArray());
        Assert.Equal(written, ModelWeights());
    }

    private float[] ModelWeights()
    {
        var weights = new float[_training.Model.ParameterCount];
        _training.Model.Backend.Download(_training.Model.Parameters, weights);
        return weights;
    }

    /// <summary>
    /// Four Adam steps of three random shards; <paramref name="placed"/>: the ranges stepped by servers of their own, as their
    /// actors do (sum and step each, one decision here, commit each), then gathered.
    /// </summary>
    private static (float[] Weights, float[] State, float[] Buffers) Run(string layers, int shards, bool placed = false)
    {
        using var backend = new CpuBackend(1);
        using var model = new Sequential(ModelSpec.Parse(layers), backend, 4);
        model.Initialize(XorTraining.Seed);
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam", 0.01f, WeightDecay: 0.01f), model.ParameterCount);
        using var applier = Applier(model, optimizer, null, shards);
        var servers = placed ? Served(applier.Place()) : null;
        var random = new Random(9);
        for (int step = 0; step < 4; step++)
        {
            var payloads = Enumerable.Range(0, 3)
                .Select(_ => Enumerable.Range(0, applier.Layout.Length).Select(_ => random.NextSingle() - 0.5f).ToArray()).ToArray();
            var complete = CompleteStep.Of(applier.Layout, step, payloads);
            if (servers is null)
                Assert.True(applier.TryApply(complete, out _, out _));
            else
            {
                Assert.True(applier.TryCommitPlaced(complete, StepEach(servers, complete, observed: false), out _, out _));
                foreach (var server in servers) server.Commit();
            }
        }
        if (servers is not null) applier.Gathered(Gather(servers));
        // The run's optimizer holds the ranges' state once the model is written.
        applier.WriteModel();
        var buffers = new float[model.BufferCount];
        backend.Download(model.Buffers, buffers);
        return (applier.Parameters.ToArray(), [.. optimizer.State("exp_avg"), .. optimizer.State("exp_avg_sq")], buffers);
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    /// <summary>Fails after the optimizer stepped, before the step is done: as a range past its timeout leaves a step.</summary>
    private sealed class ThrowingObserver : IGradientObserver
    {
        public void OnGradients(long step, ReadOnlySpan<float> gradients) { }

        public void OnWeights(long step, ReadOnlySpan<float> weights) => throw new InvalidOperationException("stopped half-way");
    }

    private sealed class RecordingObserver : IGradientObserver
    {
        public List<(long Step, float[] Gradients)> Seen { get; } = [];

        public void OnGradients(long step, ReadOnlySpan<float> gradients) => Seen.Add((step, gradients.ToArray()));
    }
}
