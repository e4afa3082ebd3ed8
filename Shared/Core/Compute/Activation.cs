namespace DistTrainer.Core.Compute;

public enum ActivationKind
{
    /// <summary>Heaviside: 1 where x &gt; 0, else 0. Its derivative is 0 everywhere (as autograd sees it).</summary>
    Step,
    Sigmoid,
    Tanh,
    Relu,
    /// <summary>x where x &gt; 0, else Slope * x.</summary>
    LeakyRelu,
}

/// <summary>An element-wise activation; <see cref="Slope"/> is used by LeakyRelu only.</summary>
public readonly record struct Activation(ActivationKind Kind, float Slope = 0.01f);
