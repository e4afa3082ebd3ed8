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
}
