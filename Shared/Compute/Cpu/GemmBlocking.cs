namespace DistTrainer.Shared.Compute.Cpu;

/// <summary>
/// Cache blocking of the GEMM. A packed B panel (Depth x 2 registers) stays in L1 while the
/// packed A block (Rows x Depth) streams from L2; the packed B block (Depth x Columns) lives in
/// L2/L3. The depth blocks are a function of k alone: they fix the summation order of every
/// element of C whatever the thread count.
/// </summary>
internal static class GemmBlocking
{
    public const int Depth = 256;
    public const int Rows = 96;
    public const int Columns = 1024;

    /// <summary>Depth blocks of near-equal length (multiples of 16 but the last), none longer than <see cref="Depth"/>.</summary>
    public static int DepthBlockLength(int k)
    {
        int count = (k + Depth - 1) / Depth;
        int length = (k + count - 1) / count;
        return Math.Min(Depth, (length + 15) & ~15);
    }
}
