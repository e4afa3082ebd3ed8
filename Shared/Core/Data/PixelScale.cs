using System.Numerics;

namespace DistTrainer.Core.Data;

/// <summary>
/// Turns the unsigned bytes of IDX pixels into the floats a model reads: byte b becomes exactly
/// <c>b / 255f</c>, the value the trainer has always fed (a float division, correctly rounded, so a
/// vectorised division gives the same bits as the scalar one; a multiplication by 1/255f would not).
/// </summary>
public static class PixelScale
{
    /// <summary>The 256 values, <c>b / 255f</c> for every byte b: the reference the vectorised path must match.</summary>
    private static readonly float[] Table = BuildTable();

    /// <summary>The float of one pixel byte.</summary>
    public static float ToFloat(byte pixel) => Table[pixel];

    /// <summary>Converts <paramref name="pixels"/> one by one through the table: the scalar reference.</summary>
    public static void ToFloatsScalar(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        CheckLengths(pixels, destination);
        float[] table = Table;
        for (int i = 0; i < pixels.Length; i++)
        {
            destination[i] = table[pixels[i]];
        }
    }

    /// <summary>
    /// Converts <paramref name="pixels"/> a vector at a time (widen to 32-bit integers, convert, divide by
    /// 255), the tail through <see cref="ToFloatsScalar"/>. Allocates nothing: it runs for every gathered row.
    /// </summary>
    public static void ToFloats(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        CheckLengths(pixels, destination);
        int done = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int lanes = Vector<float>.Count;
            for (; done + Vector<byte>.Count <= pixels.Length; done += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(pixels[done..]), out Vector<ushort> low, out Vector<ushort> high);
                Vector.Widen(low, out Vector<uint> first, out Vector<uint> second);
                Vector.Widen(high, out Vector<uint> third, out Vector<uint> fourth);
                Scale(first, destination[done..]);
                Scale(second, destination[(done + lanes)..]);
                Scale(third, destination[(done + 2 * lanes)..]);
                Scale(fourth, destination[(done + 3 * lanes)..]);
            }
        }

        ToFloatsScalar(pixels[done..], destination[done..]);
    }

    private static void Scale(Vector<uint> pixels, Span<float> destination) =>
        (Vector.ConvertToSingle(Vector.AsVectorInt32(pixels)) / new Vector<float>(255f)).CopyTo(destination);

    private static void CheckLengths(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (destination.Length != pixels.Length)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} floats for {pixels.Length} pixels", nameof(destination));
        }
    }

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (int b = 0; b < table.Length; b++)
        {
            table[b] = b / 255f;
        }

        return table;
    }
}
