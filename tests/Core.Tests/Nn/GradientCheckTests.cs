using DistTrainer.Core.Compute;
using Xunit;

namespace DistTrainer.Core.Tests.Nn;

public class GradientCheckTests
{
    [Theory]
    [InlineData("linear:5:4,sigmoid,linear:4:3")]
    [InlineData("linear:5:4,tanh,linear:4:3")]
    [InlineData("linear:5:4,relu,linear:4:3")]
    [InlineData("linear:5:4,leaky_relu:0.1,linear:4:3")]
    [InlineData("linear:5:4,softmax,linear:4:3")]
    [InlineData("linear:5:4,batchnorm:4,linear:4:3")]
    [InlineData("linear:5:4,dropout:0.3,linear:4:3")]
    [InlineData("linear:5:6,batchnorm:6,relu,dropout:0.2,linear:6:4,batchnorm:4,tanh,linear:4:3")]
    public void Layers_backpropagate_the_derivative_of_their_forward_pass(string layers) =>
        GradientCheck.Run(layers, LossKind.CrossEntropy, rows: 6);

    [Theory]
    [InlineData(LossKind.CrossEntropy, "linear:4:3")]
    [InlineData(LossKind.BceWithLogits, "linear:4:3")]
    [InlineData(LossKind.BceWithLogits, "linear:4:1")]
    [InlineData(LossKind.Bce, "linear:4:3,sigmoid")]
    [InlineData(LossKind.Mse, "linear:4:3")]
    [InlineData(LossKind.Mae, "linear:4:2")]
    public void Losses_give_the_derivative_of_their_mean(LossKind loss, string layers) =>
        GradientCheck.Run(layers, loss, rows: 5);

    [Fact]
    public void Step_activation_passes_no_gradient_below_it()
    {
        var ex = Assert.Throws<Xunit.Sdk.TrueException>(() => GradientCheck.Run("linear:3:4,step", LossKind.Mse, rows: 4));
        Assert.Contains("every gradient is ~0", ex.Message);
    }
}
