namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Cache blocking of the GEMM: a packed A block (Rows x Depth, 192 KB) stays in L2 while packed B
/// panels (Depth x 2 registers) stream past it, and the packed B block (Depth x Columns) lives in
/// L2/L3. Measured on an AMD EPYC with AVX-512 (48 KB L1, 1 MB L2 per core): a depth of 512 beat
/// 256 by several percent with two threads and tied with one, fewer passes over C outweighing a B
/// panel (64 KB) that no longer fits L1. The depth blocks are a function of k alone: they fix the
/// summation order of every element of C whatever the thread count.
/// </summary>
internal static class GemmBlocking
{
    public const int Depth = 512;
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
