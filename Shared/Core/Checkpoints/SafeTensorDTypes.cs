namespace DistTrainer.Core.Checkpoints;

/// <summary>
/// The element types of the safetensors format, by the names its header uses.
/// </summary>
public static class SafeTensorDTypes
{
    public const string F32 = "F32";
    public const string F64 = "F64";
    public const string I32 = "I32";
    public const string I64 = "I64";

    /// <summary>
    /// Every fixed-width dtype with its element size, in the order of the reference implementation's
    /// dtype enumeration. Its writer lays tensors out by descending position in this list (so the
    /// widest types come first and stay aligned), then by name.
    /// </summary>
    private static readonly (string Name, int Size)[] Known =
    [
        ("BOOL", 1), ("U8", 1), ("I8", 1), ("F8_E5M2", 1), ("F8_E4M3", 1), ("I16", 2), ("U16", 2), ("F16", 2),
        ("BF16", 2), (I32, 4), ("U32", 4), (F32, 4), (F64, 8), (I64, 8), ("U64", 8),
    ];

    public static bool IsKnown(string dtype) => Rank(dtype) >= 0;

    /// <summary>Bytes per element; the dtype must be known.</summary>
    public static int ElementSize(string dtype) => Known[RankOf(dtype)].Size;

    /// <summary>Position in the reference dtype order; the dtype must be known.</summary>
    internal static int RankOf(string dtype)
    {
        int rank = Rank(dtype);
        return rank >= 0 ? rank : throw new ArgumentException($"unknown safetensors dtype '{dtype}'", nameof(dtype));
    }

    private static int Rank(string dtype) => Array.FindIndex(Known, known => known.Name == dtype);
}
