namespace DistTrainer.Nn;

/// <summary>nn.ReLU: max(x, 0), element-wise.</summary>
public sealed class ReLU : Module
{
    internal override string Entry => "relu";
}
