using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class SgdTests
{
    [Fact]
    public void Step_moves_against_the_gradient_plus_the_l2_penalty()
    {
        var optimizer = OptimizerFactory.Create(new("sgd", LearningRate: 0.1f, WeightDecay: 0.1f), 2);
        float[] parameters = [1f, -2f];

        optimizer.Step(parameters, [0.5f, 0.25f]);

        Assert.Equal(0.94f, parameters[0], 1e-6f);
        Assert.Equal(-2.005f, parameters[1], 1e-6f);
        Assert.Equal(1, optimizer.StepCount);
    }
}
