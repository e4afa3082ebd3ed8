using System.Runtime.InteropServices;

namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// Encodes gradients into, and decodes them from, the 16-bit format a <see cref="WireDtype"/> names: one value per
/// <see cref="ushort"/>, or packed two to a float (the last half zero when their count is odd), as a frame carries them.
/// </summary>
public static class GradientCodec
{
    /// <summary>The floats that carry <paramref name="values"/> 16-bit values.</summary>
    public static int PackedFloats(int values) => (values + 1) / 2;

    /// <summary>Encodes <paramref name="source"/> into <paramref name="packed"/>, <see cref="PackedFloats"/> of its length.</summary>
    public static void EncodePacked(WireDtype dtype, ReadOnlySpan<float> source, Span<float> packed)
    {
        CheckLengths(PackedFloats(source.Length), packed.Length);
        var halves = MemoryMarshal.Cast<float, ushort>(packed);
        halves[source.Length..].Clear();
        Encode(dtype, source, halves[..source.Length]);
    }

    /// <summary>Decodes <paramref name="packed"/>, <see cref="PackedFloats"/> of <paramref name="destination"/>'s length, into it.</summary>
    public static void DecodePacked(WireDtype dtype, ReadOnlySpan<float> packed, Span<float> destination)
    {
        CheckLengths(PackedFloats(destination.Length), packed.Length);
        Decode(dtype, MemoryMarshal.Cast<float, ushort>(packed)[..destination.Length], destination);
    }

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
