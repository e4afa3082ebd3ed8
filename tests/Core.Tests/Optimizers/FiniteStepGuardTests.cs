using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class FiniteStepGuardTests
{
    [Fact]
    public void A_finite_but_huge_gradient_is_refused_and_leaves_the_weights_the_state_and_the_step_count_as_they_were()
    {
        var optimizer = OptimizerFactory.Create(new("adam", LearningRate: 0.01f), 3);
        var guard = new FiniteStepGuard(optimizer);
        float[] parameters = new float[3];
        Assert.True(guard.TryStep([1f, 2f, 3f], [0.1f, -0.2f, 0.3f], parameters, out _));
        float[] weights = [.. parameters];
        float[] expAvg = optimizer.State("exp_avg").ToArray(), expAvgSq = optimizer.State("exp_avg_sq").ToArray();

        bool stepped = guard.TryStep(weights, [0.1f, 1e30f, 0.3f], parameters, out var what);

        Assert.False(stepped);
        Assert.Equal("the optimizer state exp_avg_sq", what);
        Assert.Equal(expAvg, optimizer.State("exp_avg").ToArray());
        Assert.Equal(expAvgSq, optimizer.State("exp_avg_sq").ToArray());
        Assert.Equal(1, optimizer.StepCount);
    }

    [Fact]
    public void A_step_that_overflows_a_weight_is_refused()
    {
        var optimizer = OptimizerFactory.Create(new("sgd", LearningRate: 10f), 2);

        Assert.False(new FiniteStepGuard(optimizer).TryStep([1f, 1f], [0f, -3e38f], new float[2], out var what));
        Assert.Equal("the weights", what);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void A_gradient_not_finite_is_refused_before_anything_is_stepped()
    {
        var optimizer = OptimizerFactory.Create(new("adam", LearningRate: 0.01f), 2);

        Assert.False(new FiniteStepGuard(optimizer).TryStep([1f, 1f], [float.NaN, 0.5f], new float[2], out var what));
        Assert.Equal("the gradient", what);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void A_good_step_is_bit_for_bit_the_optimizers_own_in_place_step()
    {
        var guarded = OptimizerFactory.Create(new("adam", LearningRate: 0.01f), 5);
        var plain = OptimizerFactory.Create(new("adam", LearningRate: 0.01f), 5);
        var guard = new FiniteStepGuard(guarded);
        float[] a = [0.5f, -1f, 2f, 3f, -4f], b = [.. a], next = new float[5];

        for (int step = 0; step < 3; step++)
        {
            float[] gradients = [0.1f * step, -0.7f, 0.3f, 1e-6f, 5f];
            Assert.True(guard.TryStep(a, gradients, next, out _));
            (a, next) = (next, a);
            plain.Step(b, gradients);
        }

        Assert.Equal(b, a);
        Assert.Equal(plain.State("exp_avg_sq").ToArray(), guarded.State("exp_avg_sq").ToArray());
        Assert.Equal(3, guarded.StepCount);
    }

    /// <summary>Far longer than a block, and not a multiple of one.</summary>
    private const int Long = 3 * FiniteStepGuard.BlockLength + 5;

    private static float[] Wave(int step) => [.. Enumerable.Range(0, Long).Select(i => MathF.Sin(step * 7 + i) * 0.5f)];

    [Fact]
    public void Steps_in_blocks_give_the_bits_of_the_optimizers_own_in_place_step()
    {
        var settings = new OptimizerSettings("adam", LearningRate: 0.01f, WeightDecay: 0.01f);
        var guarded = OptimizerFactory.Create(settings, Long);
        var plain = OptimizerFactory.Create(settings, Long);
        var guard = new FiniteStepGuard(guarded);
        float[] a = [.. Wave(-1).Select(v => v * 0.6f)], b = [.. a], next = new float[Long];

        for (int step = 0; step < 3; step++)
        {
            float[] gradients = Wave(step);
            guard.BeginStep();
            Assert.Null(guard.StepBlocks(a, gradients, next, default(FiniteStepGuard.GradientInPlace), out bool finite));
            Assert.True(finite);
            guard.Commit();
            (a, next) = (next, a);
            plain.Step(b, gradients);
        }

        Assert.Equal(Bits(b), Bits(a));
        foreach (var state in plain.StateNames) Assert.Equal(Bits(plain.State(state).ToArray()), Bits(guarded.State(state).ToArray()));
    }

    [Fact]
    public void Every_block_of_the_gradient_is_written_and_a_gradient_not_finite_in_a_late_block_outranks_a_refusal_in_the_first()
    {
        var optimizer = OptimizerFactory.Create(new("sgd", LearningRate: 10f), Long);
        var guard = new FiniteStepGuard(optimizer);
        var gradients = new float[Long];
        var written = new Filled(Wave(0), hugeAt: 0);

        guard.BeginStep();
        Assert.Equal("the weights", guard.StepBlocks(new float[Long], gradients, new float[Long], written, out bool finite));
        Assert.True(finite);
        Assert.Equal(Bits(written.Values), Bits(gradients));
        guard.Refuse();

        guard.BeginStep();
        Assert.Null(guard.StepBlocks(new float[Long], gradients, new float[Long], new Filled(Wave(0), hugeAt: 0, nanAt: Long - 1), out finite));
        Assert.False(finite);
        guard.Refuse();
        Assert.Equal(0, optimizer.StepCount);
    }

    /// <summary>A gradient written block by block from <see cref="Values"/>, with 3e38 and a NaN where asked.</summary>
    private readonly struct Filled : FiniteStepGuard.IGradientBlocks
    {
        public Filled(float[] values, int hugeAt, int? nanAt = null)
        {
            Values = values;
            Values[hugeAt] = 3e38f;
            if (nanAt is { } nan) Values[nan] = float.NaN;
        }

        public float[] Values { get; }

        public void Fill(Span<float> block, int offset) => Values.AsSpan(offset, block.Length).CopyTo(block);
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
