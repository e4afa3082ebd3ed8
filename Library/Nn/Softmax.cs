namespace DistTrainer.Nn;

/// <summary>nn.Softmax(dim=1): each row's exponentials divided by their sum.</summary>
public sealed class Softmax : Module
{
    internal override string Entry => "softmax";
}
