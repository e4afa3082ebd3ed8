namespace DistTrainer.Core.Compute.Reference;

/// <summary>Host memory in double precision, so that gradient checks by finite differences are meaningful.</summary>
public sealed class ReferenceArray(int length) : DeviceArray
{
    public double[] Data { get; } = new double[length];

    public override int Length => Data.Length;

    public override void Dispose()
    {
    }
}
