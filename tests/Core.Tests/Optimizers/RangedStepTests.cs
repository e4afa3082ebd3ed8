using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

/// <summary>
/// A step taken range by range, written beside the current weights and state, is bit for bit the whole vector's step in
/// place, for every optimizer and cut; until it is committed the current state is untouched.
/// </summary>
public sealed class RangedStepTests
{
    // Odd lengths and odd cuts, so that elements in vector lanes of the whole step fall in scalar tails of a range.
    private const int Length = 1003;

    public static TheoryData<string, int> NamesAndRangeCounts()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in OptimizerFactory.Names)
            foreach (int count in new[] { 1, 2, 3, 7 })
                data.Add(name, count);
        return data;
    }

    private static int[] Cuts(int count) => [.. Enumerable.Range(0, count + 1).Select(i => i == count ? Length : i * (Length / count) + i % 3)];

    [Theory]
    [MemberData(nameof(NamesAndRangeCounts))]
    public void Ranges_give_every_weight_and_state_value_of_the_unsplit_step(string name, int count)
    {
        var whole = OptimizerFactory.Create(OptimizerRuns.Exercising(name), Length);
        var ranged = OptimizerFactory.Create(OptimizerRuns.Exercising(name), Length);
        float[] a = OptimizerRuns.Seeded(Length, 3), b = [.. a], next = new float[Length];
        int[] cuts = Cuts(count);

        foreach (var gradient in OptimizerRuns.SeededGradients(Length, 5, 11))
        {
            whole.Step(a, gradient);
            ranged.BeginStep();
            for (int r = count - 1; r >= 0; r--)
                ranged.StepRange(b.AsSpan(cuts[r]..cuts[r + 1]), gradient.AsSpan(cuts[r]..cuts[r + 1]), next.AsSpan(cuts[r]..cuts[r + 1]), cuts[r]);
            ranged.CommitStep();
            (b, next) = (next, b);
        }

        Assert.Equal(5, ranged.StepCount);
        Assert.Equal(Bits(a), Bits(b));
        foreach (string state in whole.StateNames)
            Assert.Equal(Bits(whole.State(state)), Bits(ranged.State(state)));
    }

    [Fact]
    public void A_range_outside_the_vector_is_refused()
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd"), 10);
        optimizer.BeginStep();

        var error = Assert.Throws<ArgumentException>(() => optimizer.StepRange(new float[4], new float[4], new float[4], 7));

        Assert.Equal("optimizer 'sgd' holds 10 parameters; got the range at 7 with 4 parameters, 4 gradients and 4 to write", error.Message);
    }

    [Fact]
    public void A_range_without_a_step_begun_is_refused()
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("sgd"), 4);

        Assert.Throws<InvalidOperationException>(() => optimizer.StepRange(new float[4], new float[4], new float[4], 0));
    }

    [Fact]
    public void A_step_refused_after_one_range_went_non_finite_leaves_every_range_and_the_count_as_they_were()
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings("adam", LearningRate: 0.01f), 6);
        var guard = new FiniteStepGuard(optimizer);
        float[] parameters = new float[6];
        Assert.True(guard.TryStep([1f, 2f, 3f, 4f, 5f, 6f], [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, 0.6f], parameters, out _));
        float[] weights = [.. parameters], expAvgSq = optimizer.State("exp_avg_sq").ToArray(), next = new float[6];
        float[] gradients = [0.1f, 0.2f, 0.3f, 0.4f, 1e30f, 0.6f];

        guard.BeginStep();
        string? first = guard.StepRange(parameters, gradients, next, 0, 3);
        string? second = guard.StepRange(parameters, gradients, next, 3, 3);
        Assert.Null(first);
        Assert.Equal("the optimizer state exp_avg_sq", second);
        Assert.NotEqual(weights[..3], next[..3]);
        guard.Refuse();

        Assert.Equal(weights, parameters);
        Assert.Equal(expAvgSq, optimizer.State("exp_avg_sq").ToArray());
        Assert.Equal(1, optimizer.StepCount);
        // The refused step's pending state is written over by the next, which is the same as if the refused one never was.
        var replay = OptimizerFactory.Create(new OptimizerSettings("adam", LearningRate: 0.01f), 6);
        float[] alone = [1f, 2f, 3f, 4f, 5f, 6f];
        replay.Step(alone, [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, 0.6f]);
        replay.Step(alone, [0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f]);
        Assert.True(guard.TryStep(parameters, [0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f], next, out _));
        Assert.Equal(alone, next);
        Assert.Equal(replay.State("exp_avg_sq").ToArray(), optimizer.State("exp_avg_sq").ToArray());
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }
}
