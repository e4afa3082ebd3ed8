namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// The number format of the gradients a worker sends on the data plane. <see cref="Fp32"/> sends them as
/// computed; the 16-bit formats halve the gradient bytes and round, which error feedback makes up for.
/// </summary>
public enum WireDtype : byte
{
    Fp32 = 0,
    Bf16 = 1,
    Fp16 = 2,
}
