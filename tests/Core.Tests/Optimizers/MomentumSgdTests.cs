using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class MomentumSgdTests
{
    [Fact]
    public void Heavy_ball_starts_the_buffer_at_the_gradient_then_accumulates()
    {
        var optimizer = OptimizerFactory.Create(new("momentum", LearningRate: 0.1f, Momentum: 0.9f), 1);
        float[] parameters = [1f];

        optimizer.Step(parameters, [1f]);
        Assert.Equal(0.9f, parameters[0], 1e-6f);
        Assert.Equal(1f, optimizer.State("momentum_buffer")[0]);

        optimizer.Step(parameters, [1f]);
        Assert.Equal(0.71f, parameters[0], 1e-6f);
        Assert.Equal(1.9f, optimizer.State("momentum_buffer")[0], 1e-6f);
    }

    [Fact]
    public void Nesterov_steps_along_the_gradient_plus_momentum_times_the_buffer()
    {
        var optimizer = OptimizerFactory.Create(new("nag", LearningRate: 0.1f, Momentum: 0.9f), 1);
        float[] parameters = [1f];

        optimizer.Step(parameters, [1f]);
        Assert.Equal(0.81f, parameters[0], 1e-6f);

        optimizer.Step(parameters, [1f]);
        Assert.Equal(0.539f, parameters[0], 1e-6f);
    }

    [Fact]
    public void The_first_step_ignores_whatever_the_buffer_holds()
    {
        var optimizer = OptimizerFactory.Create(new("momentum", LearningRate: 0.1f), 1);
        optimizer.State("momentum_buffer")[0] = 123f;
        float[] parameters = [1f];

        optimizer.Step(parameters, [2f]);

        Assert.Equal(0.8f, parameters[0], 1e-6f);
        Assert.Equal(2f, optimizer.State("momentum_buffer")[0]);
    }
}
