namespace DistTrainer.Nn;

/// <summary>nn.Sigmoid: 1 / (1 + exp(-x)), element-wise.</summary>
public sealed class Sigmoid : Module
{
    internal override string Entry => "sigmoid";
}
