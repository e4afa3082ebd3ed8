using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Training.WireFormat;

/// <summary>
/// IEEE 754 half precision: rounded to nearest, ties to even; beyond ±65504 a value becomes ±infinity, below
/// 2^-14 a subnormal. The span versions are vectorised; the scalar ones are their reference.
/// </summary>
public static class Fp16
{
    public static ushort Encode(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    public static float Decode(ushort value) => (float)BitConverter.UInt16BitsToHalf(value);

    public static void Encode(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        GradientCodec.CheckLengths(source.Length, destination.Length);
        TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<ushort, Half>(destination));
    }

    public static void Decode(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        GradientCodec.CheckLengths(source.Length, destination.Length);
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<ushort, Half>(source), destination);
    }
}
