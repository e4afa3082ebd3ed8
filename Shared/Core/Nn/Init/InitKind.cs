namespace DistTrainer.Core.Nn.Init;

public enum InitKind
{
    /// <summary>PyTorch's nn.Linear: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    PyTorchDefault,
    Zeros,
    Normal,
    XavierUniform,
    XavierNormal,
    HeUniform,
    HeNormal,
}
