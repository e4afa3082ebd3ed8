using DistTrainer.Coordinator.Lab;
using DistTrainer.Core.Nn;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LayerStackTests
{
    [Fact]
    public void Puts_each_activation_after_its_hidden_layer_and_leaves_out_none()
    {
        Assert.Equal("linear:784:8,relu,linear:8:8,linear:8:10", LayerStack.Spec(["relu", LayerStack.None], 8));
        Assert.Equal("linear:784:4,sigmoid,linear:4:4,sigmoid,linear:4:4,sigmoid,linear:4:10", LayerStack.Spec(["sigmoid", "sigmoid", "sigmoid"], 4));
    }

    [Fact]
    public void Makes_a_spec_that_chains_from_the_images_to_ten_classes()
    {
        var spec = ModelSpec.Parse(LayerStack.Spec(["tanh", LayerStack.None, "relu"], 16));

        Assert.Equal(784, spec.InputWidth);
        Assert.Equal(10, spec.OutputWidth);
        Assert.Equal(6, spec.Layers.Count);
    }

    [Fact]
    public void Refuses_a_stack_without_hidden_layers() =>
        Assert.Throws<ArgumentException>(() => LayerStack.Spec([], 8));
}
