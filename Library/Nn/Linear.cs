namespace DistTrainer.Nn;

/// <summary>nn.Linear(inFeatures, outFeatures): y = x W^T + b, W stored [out, in].</summary>
public sealed class Linear : Module
{
    /// <summary>
    /// A fully connected layer. <paramref name="init"/> names how its weight is drawn, as the CLI's --init takes it
    /// ("default" is PyTorch's nn.Linear initialisation; also "zeros", "normal:STD", "xavier", "xavier-normal", "he",
    /// "he-normal").
    /// </summary>
    public Linear(int inFeatures, int outFeatures, string init = "default")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Init = init;
    }

    /// <summary>The width of the layer's input.</summary>
    public int InFeatures { get; }

    /// <summary>The width of the layer's output.</summary>
    public int OutFeatures { get; }

    /// <summary>How the weight is drawn when the model is built.</summary>
    public string Init { get; }

    internal override string Entry => Init == "default" ? $"linear:{InFeatures}:{OutFeatures}" : $"linear:{InFeatures}:{OutFeatures}:{Init}";
}
