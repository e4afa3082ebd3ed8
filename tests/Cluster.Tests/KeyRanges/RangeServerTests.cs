using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training.KeyRanges;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Cluster.Tests.KeyRanges;

public sealed class RangeServerTests
{
    private const int Parameters = 37;
    private static readonly ParameterRange[] Halves = [new(0, 20, []), new(20, 17, [])];
    private readonly PayloadPool _pool = new();

    /// <summary>Two shards' gradients, whole vectors of <see cref="Parameters"/> or a given length, for the ranges to read theirs from; a NaN where asked.</summary>
    private sealed class TwoShards : IShardGradients
    {
        private readonly float[][] _gradients;

        public TwoShards(int step, int length = Parameters, int? nanAt = null)
        {
            _gradients = [.. Enumerable.Range(0, 2).Select(shard => Enumerable.Range(0, length).Select(i => MathF.Sin(step * 7 + shard * 3 + i) * 0.5f).ToArray())];
            if (nanAt is { } nan) _gradients[1][nan] = float.NaN;
        }

        public int ShardCount => 2;

        public ReadOnlySpan<float> Gradient(int shard, int offset, int length) => _gradients[shard].AsSpan(offset, length);

        public float[] Sum() => [.. _gradients[0].Zip(_gradients[1], (a, b) => a + b)];

        public float[] Part(int shard, int offset, int length) => _gradients[shard][offset..(offset + length)];
    }

    private static float[] Initial() => [.. Enumerable.Range(0, Parameters).Select(i => MathF.Cos(i) * 0.3f)];

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nag")]
    [InlineData("adagrad")]
    [InlineData("rmsprop")]
    [InlineData("adadelta")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void Two_ranges_cut_from_a_whole_optimizer_step_to_its_weights_and_state_bit_for_bit(string name)
    {
        var settings = new OptimizerSettings(name, 0.05f, Momentum: name is "momentum" or "nag" ? 0.9f : null, WeightDecay: 0.01f);
        var whole = OptimizerFactory.Create(settings, Parameters);
        var weights = Initial();
        whole.Step(weights, new TwoShards(-1).Sum());
        var cutFrom = OptimizerFactory.Create(settings, Parameters);
        var stepped = Initial();
        cutFrom.Step(stepped, new TwoShards(-1).Sum());
        var servers = Halves.Select(range => RangeServer.Cut(range, cutFrom, stepped, _pool)).ToArray();

        for (int step = 0; step < 3; step++)
        {
            var shards = new TwoShards(step);
            whole.Step(weights, shards.Sum());
            foreach (var server in servers)
            {
                Assert.Null(server.SumAndStep(shards, new float[server.Range.Length], out bool finite));
                Assert.True(finite);
                server.Commit();
            }
        }

        Assert.Equal(Bits(weights), Bits([.. servers.SelectMany(s => s.Weights.Array)]));
        foreach (var server in servers) server.CopyStateTo(cutFrom);
        foreach (var state in whole.StateNames) Assert.Equal(Bits(whole.State(state).ToArray()), Bits(cutFrom.State(state).ToArray()));
        Assert.All(servers, server => Assert.Equal(whole.StepCount, server.Version));
    }

    [Fact]
    public void A_range_handed_over_starts_where_its_cut_stood_and_buffers_that_do_not_fit_its_optimizer_are_refused()
    {
        var whole = OptimizerFactory.Create(new OptimizerSettings("adam", 0.01f), Parameters);
        var weights = Initial();
        whole.Step(weights, new TwoShards(0).Sum());
        var cut = RangeServer.Cut(Halves[1], whole, weights, _pool);
        var host = cut.ToHost(1);

        var handed = RangeServer.Hosting(host, _pool);

        Assert.Equal((20, 17, 1L), (handed.Range.Offset, handed.Range.Length, handed.Version));
        Assert.Equal(Bits(cut.Weights.Array), Bits(handed.Weights.Array));
        Assert.Equal(cut.CopyState().Select(Bits), handed.CopyState().Select(Bits));
        Assert.Equal("key range 1: 1 optimizer state buffers where adam has 2 (Parameter 'state')",
            Assert.Throws<ArgumentException>(() => RangeServer.Hosting(host with { State = host.State[..1] }, _pool)).Message);
        Assert.Equal($"key range 1: optimizer state {handed.Optimizer.StateNames[1]} holds 3 values; the range has 17 (Parameter 'state')",
            Assert.Throws<ArgumentException>(() => RangeServer.Hosting(host with { State = [host.State[0], new float[3]] }, _pool)).Message);
    }

    [Fact]
    public void A_step_discarded_leaves_the_weights_the_state_and_the_step_count_and_a_sum_not_finite_is_not_stepped()
    {
        var server = new RangeServer(Halves[1], OptimizerFactory.Create(new OptimizerSettings("adam", 0.1f), 17), Initial().AsSpan(20, 17), _pool);
        var before = server.Weights.Array.ToArray();

        Assert.Null(server.SumAndStep(new TwoShards(0), new float[17], out _));
        server.Discard();
        var overflowing = new float[17];
        Assert.Null(server.SumAndStep(new Huge(), overflowing, out bool finite));
        server.Discard();

        Assert.False(finite);
        Assert.Equal(before, server.Weights.Array);
        Assert.Equal(0, server.Version);
        Assert.All(server.Optimizer.StateNames, state => Assert.All(server.Optimizer.State(state).ToArray(), v => Assert.Equal(0f, v)));
    }

    /// <summary>A stream that connects, or a gather, between a step and its decision reads the version its weights are.</summary>
    [Fact]
    public void The_version_counts_committed_steps_only()
    {
        var server = new RangeServer(Halves[0], OptimizerFactory.Create(new OptimizerSettings("adam", 0.1f), 20), Initial().AsSpan(0, 20), _pool);

        Assert.Null(server.SumAndStep(new TwoShards(0), new float[20], out _));
        long stepping = server.Version;
        var host = server.ToHost(0);
        server.Discard();
        Assert.Null(server.SumAndStep(new TwoShards(1), new float[20], out _));
        server.Commit();

        Assert.Equal((0L, 0L, 1L, 1L), (stepping, host.StepCount, server.Version, server.Optimizer.StepCount));
    }

    [Fact]
    public void A_step_that_would_leave_a_weight_infinite_is_refused_with_what_it_would_break()
    {
        var server = new RangeServer(Halves[0], OptimizerFactory.Create(new OptimizerSettings("sgd", 10f), 20), Initial().AsSpan(0, 20), _pool);

        var refusal = server.SumAndStep(new Huge(half: true), new float[20], out bool finite);

        Assert.True(finite);
        Assert.Equal("the weights", refusal);
    }

    [Fact]
    public void A_range_of_many_blocks_steps_to_the_whole_vectors_bits_and_a_gradient_not_finite_in_its_last_block_refuses_it_whole()
    {
        // Far longer than a block of the server's step, not a multiple of one, and not at the vector's start.
        const int offset = 7, length = 3 * FiniteStepGuard.BlockLength + 5;
        var settings = new OptimizerSettings("adam", 0.01f, WeightDecay: 0.01f);
        float[] initial = [.. Enumerable.Range(0, length).Select(i => MathF.Cos(i) * 0.3f)];
        var whole = OptimizerFactory.Create(settings, length);
        var weights = initial.ToArray();
        var server = new RangeServer(new ParameterRange(offset, length, []), OptimizerFactory.Create(settings, length), initial, _pool);
        var gradient = new float[length];

        for (int step = 0; step < 2; step++)
        {
            var shards = new TwoShards(step, offset + length);
            whole.Step(weights, shards.Sum()[offset..]);
            Assert.Null(server.SumAndStep(shards, gradient, out bool finite));
            Assert.True(finite);
            Assert.Equal(Bits(shards.Sum()[offset..]), Bits(gradient));
            server.Commit();
        }
        Assert.Equal(Bits(weights), Bits(server.Weights.Array));
        foreach (var state in whole.StateNames)
            Assert.Equal(Bits(whole.State(state).ToArray()), Bits(server.Optimizer.State(state).ToArray()));

        var late = new TwoShards(2, offset + length, nanAt: offset + length - 2);
        Assert.Null(server.SumAndStep(late, gradient, out bool lateFinite));
        server.Discard();

        Assert.False(lateFinite);
        Assert.Equal(Bits(late.Sum()[offset..]), Bits(gradient));
        Assert.Equal(Bits(weights), Bits(server.Weights.Array));
        Assert.Equal(2, server.Version);
        foreach (var state in whole.StateNames)
            Assert.Equal(Bits(whole.State(state).ToArray()), Bits(server.Optimizer.State(state).ToArray()));
    }

    [Fact]
    public void A_long_ranges_parts_held_by_its_intake_are_summed_and_stepped_block_by_block_as_whole_gradients_are()
    {
        const int offset = 7, length = 3 * FiniteStepGuard.BlockLength + 5;
        var shards = new TwoShards(0, offset + length);
        var intake = new RangeIntake(0, offset, length, _ => { });
        intake.Begin(0, 0, shards: 2);
        for (int shard = 0; shard < 2; shard++) intake.Offer($"w{shard}", 0, 0, shard, shards.Part(shard, offset, length));
        intake.Sum(["w0", "w1"]);
        var settings = new OptimizerSettings("adam", 0.01f);
        float[] initial = [.. Enumerable.Range(0, length).Select(i => MathF.Cos(i) * 0.3f)];
        var fromParts = new RangeServer(new ParameterRange(offset, length, []), OptimizerFactory.Create(settings, length), initial, _pool);
        var fromWhole = new RangeServer(new ParameterRange(offset, length, []), OptimizerFactory.Create(settings, length), initial, _pool);
        float[] partsSum = new float[length], wholeSum = new float[length];

        Assert.Null(fromParts.SumAndStep(intake, partsSum, out bool finite));
        Assert.Null(fromWhole.SumAndStep(shards, wholeSum, out _));

        Assert.True(finite);
        Assert.Equal(Bits(shards.Sum()[offset..]), Bits(partsSum));
        Assert.Equal(Bits(fromWhole.NextWeights.ToArray()), Bits(fromParts.NextWeights.ToArray()));
    }

    private sealed class Huge(bool half = false) : IShardGradients
    {
        private readonly float[] _gradient = [.. Enumerable.Repeat(half ? 3e38f : float.MaxValue, Parameters)];

        public int ShardCount => half ? 1 : 2;

        public ReadOnlySpan<float> Gradient(int shard, int offset, int length) => _gradient.AsSpan(offset, length);
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
