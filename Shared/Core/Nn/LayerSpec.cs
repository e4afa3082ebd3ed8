using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Init;
using DistTrainer.Core.Nn.Layers;

namespace DistTrainer.Core.Nn;

/// <summary>One parsed entry of a layer spec; <see cref="Create"/> makes the layer at its index in the model.</summary>
public abstract record LayerSpec
{
    public abstract Layer Create(int width, int index);
}

public sealed record LinearSpec(int InputWidth, int OutputWidth, Initializer Initializer) : LayerSpec
{
    public override Layer Create(int width, int index) => new LinearLayer(InputWidth, OutputWidth, Initializer);
}

public sealed record BatchNormSpec(int Width) : LayerSpec
{
    public override Layer Create(int width, int index) => new BatchNormLayer(Width);
}

public sealed record DropoutSpec(float Probability) : LayerSpec
{
    public override Layer Create(int width, int index) => new DropoutLayer(width, Probability, index);
}

public sealed record ActivationSpec(Activation Activation) : LayerSpec
{
    public override Layer Create(int width, int index) => new ActivationLayer(width, Activation);
}

public sealed record SoftmaxSpec : LayerSpec
{
    public override Layer Create(int width, int index) => new SoftmaxLayer(width);
}
