namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// bfloat16: the top 16 bits of a float32 (same exponent range, 8 significant bits), rounded to nearest,
/// ties to even. A NaN stays a NaN (its payload's top bits kept, made quiet) instead of rounding into an infinity.
/// </summary>
public static class Bf16
{
    private const uint QuietBit = 0x0040;

    public static ushort Encode(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | QuietBit);
        uint lsb = (bits >> 16) & 1;
        return (ushort)((bits + 0x7FFF + lsb) >> 16);
    }

    public static float Decode(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    public static void Encode(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        GradientCodec.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++) destination[i] = Encode(source[i]);
    }

    public static void Decode(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        GradientCodec.CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++) destination[i] = Decode(source[i]);
    }
}
