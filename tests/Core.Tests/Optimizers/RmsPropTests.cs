using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class RmsPropTests
{
    [Fact]
    public void Without_momentum_step_divides_by_the_root_of_the_square_average()
    {
        var optimizer = OptimizerFactory.Create(new("rmsprop"), 1);
        float[] parameters = [0f];

        optimizer.Step(parameters, [1f]);

        Assert.Equal(0.01f, optimizer.State("square_avg")[0], 1e-9f);
        Assert.Equal(-0.1f, parameters[0], 1e-6f);
    }

    [Fact]
    public void With_momentum_a_zero_started_buffer_accumulates_the_scaled_gradients()
    {
        var optimizer = OptimizerFactory.Create(new("rmsprop", Momentum: 0.5f), 1);
        float[] parameters = [0f];

        Assert.Equal(["square_avg", "momentum_buffer"], optimizer.StateNames);
        optimizer.Step(parameters, [1f]);
        Assert.Equal(10f, optimizer.State("momentum_buffer")[0], 1e-4f);

        optimizer.Step(parameters, [1f]);
        Assert.Equal(5f + 1f / MathF.Sqrt(0.0199f), optimizer.State("momentum_buffer")[0], 1e-4f);
        Assert.Equal(-0.1f - 0.01f * (5f + 1f / MathF.Sqrt(0.0199f)), parameters[0], 1e-6f);
    }
}
