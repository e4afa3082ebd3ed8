using System.Numerics;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// bfloat16: the top 16 bits of a float32 (same exponent range, 8 significant bits), rounded to nearest,
/// ties to even. A NaN stays a NaN (its payload's top bits kept, made quiet) instead of rounding into an infinity.
/// The span versions are vectorised (two vectors of floats to one of 16-bit values, and back); the scalar ones are
/// their reference, and the tail of a span that fills no whole vector goes through them.
/// </summary>
public static class Bf16
{
    private const uint QuietBit = 0x0040;
    private const uint RoundingBias = 0x7FFF;

    public static ushort Encode(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | QuietBit);
        uint lsb = (bits >> 16) & 1;
        return (ushort)((bits + RoundingBias + lsb) >> 16);
    }

    public static float Decode(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);

    public static void Encode(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        GradientCodec.CheckLengths(source.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var floats = MemoryMarshal.Cast<float, Vector<float>>(source);
            var halves = MemoryMarshal.Cast<ushort, Vector<ushort>>(destination);
            for (int v = 0; v + 1 < floats.Length; v += 2)
                halves[v / 2] = Vector.Narrow(Round(floats[v]), Round(floats[v + 1]));
            i = floats.Length / 2 * 2 * Vector<float>.Count;
        }
        for (; i < source.Length; i++) destination[i] = Encode(source[i]);
    }

    public static void Decode(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        GradientCodec.CheckLengths(source.Length, destination.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var halves = MemoryMarshal.Cast<ushort, Vector<ushort>>(source);
            var floats = MemoryMarshal.Cast<float, Vector<uint>>(destination);
            for (int v = 0; v < halves.Length; v++)
            {
                Vector.Widen(halves[v], out var low, out var high);
                floats[2 * v] = Vector.ShiftLeft(low, 16);
                floats[2 * v + 1] = Vector.ShiftLeft(high, 16);
            }
            i = halves.Length * Vector<ushort>.Count;
        }
        for (; i < source.Length; i++) destination[i] = Decode(source[i]);
    }

    /// <summary><see cref="Encode(float)"/> of each lane, still in the low 16 bits of a 32-bit lane.</summary>
    private static Vector<uint> Round(Vector<float> values)
    {
        var bits = Vector.AsVectorUInt32(values);
        var top = Vector.ShiftRightLogical(bits, 16);
        var rounded = Vector.ShiftRightLogical(bits + new Vector<uint>(RoundingBias) + (top & Vector<uint>.One), 16);
        var isNaN = Vector.AsVectorUInt32(~Vector.Equals(values, values));
        return Vector.ConditionalSelect(isNaN, top | new Vector<uint>(QuietBit), rounded);
    }
}
