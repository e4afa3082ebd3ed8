namespace DistTrainer.Nn;

/// <summary>nn.Tanh: tanh(x), element-wise.</summary>
public sealed class Tanh : Module
{
    internal override string Entry => "tanh";
}
