using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class AdadeltaTests
{
    [Fact]
    public void First_step_is_the_root_of_eps_over_the_root_of_the_new_square_average()
    {
        var optimizer = OptimizerFactory.Create(new("adadelta"), 1);
        float[] parameters = [0f];

        optimizer.Step(parameters, [1f]);

        var delta = MathF.Sqrt(1e-6f) / MathF.Sqrt(0.1f + 1e-6f);
        Assert.Equal(-delta, parameters[0], 1e-9f);
        Assert.Equal(0.1f * delta * delta, optimizer.State("acc_delta")[0], 1e-12f);
    }

    [Fact]
    public void Learning_rate_scales_the_delta()
    {
        var unit = OptimizerFactory.Create(new("adadelta", LearningRate: 1f), 3);
        var half = OptimizerFactory.Create(new("adadelta", LearningRate: 0.5f), 3);
        float[] unitParameters = [0f, 0f, 0f];
        float[] halfParameters = [0f, 0f, 0f];

        unit.Step(unitParameters, [1f, -2f, 0.5f]);
        half.Step(halfParameters, [1f, -2f, 0.5f]);

        Assert.Equal(unitParameters.Select(p => p / 2), halfParameters);
        Assert.Equal(unit.State("acc_delta").ToArray(), half.State("acc_delta").ToArray());
    }
}
