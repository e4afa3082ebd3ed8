using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Init;
using Xunit;

namespace DistTrainer.Core.Tests.Nn;

public class ModelSpecTests
{
    [Fact]
    public void Parses_every_layer_kind_and_tracks_the_width()
    {
        var spec = ModelSpec.Parse("linear:784:256:he,batchnorm:256,relu,dropout:0.2,leaky_relu:0.2,tanh,sigmoid,step,softmax,linear:256:10:normal:0.01");
        Assert.Equal(784, spec.InputWidth);
        Assert.Equal(10, spec.OutputWidth);
        Assert.Equal(10, spec.Layers.Count);
        Assert.Equal(new LinearSpec(784, 256, new Initializer(InitKind.HeUniform)), spec.Layers[0]);
        Assert.Equal(new DropoutSpec(0.2f), spec.Layers[3]);
        Assert.Equal(new ActivationSpec(new Activation(ActivationKind.LeakyRelu, 0.2f)), spec.Layers[4]);
        Assert.Equal(new LinearSpec(256, 10, new Initializer(InitKind.Normal, 0.01)), spec.Layers[9]);
    }

    [Fact]
    public void Leaky_relu_defaults_to_slope_001_and_linear_to_the_given_initialiser()
    {
        var spec = ModelSpec.Parse("linear:2:3,leaky_relu", new Initializer(InitKind.XavierNormal));
        Assert.Equal(new ActivationSpec(new Activation(ActivationKind.LeakyRelu, 0.01f)), spec.Layers[1]);
        Assert.Equal(new Initializer(InitKind.XavierNormal), ((LinearSpec)spec.Layers[0]).Initializer);
    }

    [Theory]
    [InlineData("linear:784:256,linear:128:10", "entry 1 'linear:128:10': takes 128 inputs but the layers before it give 256")]
    [InlineData("linear:4:3,batchnorm:4", "normalises 4 features but the layers before it give 3")]
    [InlineData("relu,linear:4:3", "the first entry must fix the input width")]
    [InlineData("linear:4:3,gelu", "unknown layer 'gelu'")]
    [InlineData("linear:4", "linear needs IN:OUT")]
    [InlineData("linear:0:3", "IN must be a positive integer, got '0'")]
    [InlineData("linear:4:x", "OUT must be a positive integer, got 'x'")]
    [InlineData("linear:4:3,dropout:1.5", "the dropout probability must be in [0, 1]")]
    [InlineData("linear:4:3,dropout", "expected dropout:P")]
    [InlineData("linear:4:3,relu:2", "expected relu")]
    [InlineData("linear:4:3:glorot", "unknown initialiser 'glorot'")]
    [InlineData("linear:4:3:normal:-1", "normal:-1 needs a finite standard deviation")]
    [InlineData("", "the layer spec is empty")]
    public void Rejects_bad_specs_with_a_message_naming_the_entry(string text, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => ModelSpec.Parse(text));
        Assert.StartsWith("--layers", e.Message);
        Assert.Contains(message, e.Message);
    }
}
