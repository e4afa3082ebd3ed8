using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class AdagradTests
{
    [Fact]
    public void Step_divides_by_the_root_of_the_summed_squared_gradients()
    {
        var optimizer = OptimizerFactory.Create(new("adagrad", LearningRate: 0.1f), 2);
        float[] parameters = [0f, 5f];

        optimizer.Step(parameters, [2f, 0f]);
        Assert.Equal(-0.1f, parameters[0], 1e-7f);

        optimizer.Step(parameters, [2f, 0f]);
        Assert.Equal(-0.1f - 0.2f / MathF.Sqrt(8f), parameters[0], 1e-6f);
        Assert.Equal(8f, optimizer.State("sum")[0]);
        Assert.Equal(5f, parameters[1]);
    }
}
