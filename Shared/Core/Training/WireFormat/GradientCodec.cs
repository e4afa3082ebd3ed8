namespace DistTrainer.Core.Training.WireFormat;

/// <summary>Encodes gradients into, and decodes them from, the 16-bit format a <see cref="WireDtype"/> names.</summary>
public static class GradientCodec
{
    public static void Encode(WireDtype dtype, ReadOnlySpan<float> source, Span<ushort> destination)
    {
        switch (dtype)
        {
            case WireDtype.Bf16: Bf16.Encode(source, destination); break;
            case WireDtype.Fp16: Fp16.Encode(source, destination); break;
            default: throw Unpacked(dtype);
        }
    }

    public static void Decode(WireDtype dtype, ReadOnlySpan<ushort> source, Span<float> destination)
    {
        switch (dtype)
        {
            case WireDtype.Bf16: Bf16.Decode(source, destination); break;
            case WireDtype.Fp16: Fp16.Decode(source, destination); break;
            default: throw Unpacked(dtype);
        }
    }

    internal static void CheckLengths(int source, int destination)
    {
        if (source != destination)
            throw new ArgumentException($"{source} values and a destination of {destination}: the lengths must match");
    }

    private static ArgumentOutOfRangeException Unpacked(WireDtype dtype) =>
        new(nameof(dtype), dtype, "only the 16-bit wire formats are encoded; fp32 gradients travel as they are");
}
