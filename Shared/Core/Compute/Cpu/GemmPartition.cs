namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Splits C among threads along its longer side, in whole micro-kernel tiles. Every thread packs
/// the whole of the shorter operand, so splitting the longer side keeps that duplicated work small.
/// The result does not depend on the split at all (see <see cref="GemmMicroKernel{TSimd, TCount}"/>);
/// the split is fixed by the shape so that each call does the same work.
/// </summary>
internal static class GemmPartition
{
    /// <summary>Below this many flops a second thread costs more in hand-off than it saves.</summary>
    public const long MinFlopsPerThread = 1_000_000;

    public static int Parts(int m, int n, int k, int threads, int kernelRows, int kernelColumns)
    {
        long flops = 2L * m * n * k;
        long byWork = Math.Max(1, flops / MinFlopsPerThread);
        int tiles = SplitsColumns(m, n) ? Tiles(n, kernelColumns) : Tiles(m, kernelRows);
        return (int)Math.Min(Math.Min(threads, byWork), tiles);
    }

    public static GemmRegion Region(int m, int n, int parts, int part, int kernelRows, int kernelColumns)
    {
        if (SplitsColumns(m, n))
        {
            var (start, end) = Share(n, kernelColumns, parts, part);
            return new GemmRegion(0, m, start, end);
        }
        var (rowStart, rowEnd) = Share(m, kernelRows, parts, part);
        return new GemmRegion(rowStart, rowEnd, 0, n);
    }

    private static bool SplitsColumns(int m, int n) => n >= m;

    private static int Tiles(int length, int tile) => (length + tile - 1) / tile;

    private static (int Start, int End) Share(int length, int tile, int parts, int part)
    {
        int tiles = Tiles(length, tile);
        int start = (int)((long)tiles * part / parts) * tile;
        int end = (int)((long)tiles * (part + 1) / parts) * tile;
        return (start, Math.Min(end, length));
    }
}
