using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>How many registers wide a micro-kernel tile is: two for full tiles, one for a narrow edge.</summary>
internal interface IVectorCount
{
    static abstract int Value { get; }
}

internal struct OneVector : IVectorCount
{
    public static int Value => 1;
}

internal struct TwoVectors : IVectorCount
{
    public static int Value => 2;
}

/// <summary>
/// The innermost loop of the GEMM: a tile of C of <c>KernelRows</c> rows and
/// <typeparamref name="TCount"/> registers held in registers while a packed A panel (depth-major,
/// KernelRows values per step) and a packed B panel (depth-major, 2 * Width values per step)
/// stream past. Each element of C is one chain of fused multiply-adds in depth order, independent
/// of the tile it falls in, so edge tiles and thread partitions give the same bits.
/// </summary>
internal static unsafe class GemmMicroKernel<TSimd, TCount>
    where TSimd : struct, ISimdFloat<TSimd>
    where TCount : struct, IVectorCount
{
    /// <summary>
    /// tile = alpha * (A panel * B panel) + (accumulate ? beta * tile : 0), for all KernelRows rows
    /// of the tile starting at <paramref name="c"/> with row stride <paramref name="ldc"/>.
    /// </summary>
    public static void Run(int depth, float* a, float* b, float* c, int ldc, float alpha, float beta, bool accumulate)
    {
        int rows = TSimd.KernelRows;
        int stride = 2 * TSimd.Width;
        TSimd c00 = TSimd.Zero, c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
            c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int p = 0; p < depth; p++)
        {
            TSimd b0 = TSimd.Load(b);
            TSimd b1 = TCount.Value > 1 ? TSimd.Load(b + TSimd.Width) : b0;
            Step(a[0], b0, b1, ref c00, ref c01);
            if (rows > 1) Step(a[1], b0, b1, ref c10, ref c11);
            if (rows > 2) Step(a[2], b0, b1, ref c20, ref c21);
            if (rows > 3) Step(a[3], b0, b1, ref c30, ref c31);
            if (rows > 4) Step(a[4], b0, b1, ref c40, ref c41);
            if (rows > 5) Step(a[5], b0, b1, ref c50, ref c51);
            if (rows > 6) Step(a[6], b0, b1, ref c60, ref c61);
            if (rows > 7) Step(a[7], b0, b1, ref c70, ref c71);
            a += rows;
            b += stride;
        }

        var scale = TSimd.Broadcast(alpha);
        var keep = TSimd.Broadcast(beta);
        Update(c, c00, c01, scale, keep, accumulate);
        if (rows > 1) Update(c + ldc, c10, c11, scale, keep, accumulate);
        if (rows > 2) Update(c + 2 * ldc, c20, c21, scale, keep, accumulate);
        if (rows > 3) Update(c + 3 * ldc, c30, c31, scale, keep, accumulate);
        if (rows > 4) Update(c + 4 * ldc, c40, c41, scale, keep, accumulate);
        if (rows > 5) Update(c + 5 * ldc, c50, c51, scale, keep, accumulate);
        if (rows > 6) Update(c + 6 * ldc, c60, c61, scale, keep, accumulate);
        if (rows > 7) Update(c + 7 * ldc, c70, c71, scale, keep, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(float a, TSimd b0, TSimd b1, ref TSimd c0, ref TSimd c1)
    {
        var x = TSimd.Broadcast(a);
        c0 = TSimd.MultiplyAdd(x, b0, c0);
        if (TCount.Value > 1) c1 = TSimd.MultiplyAdd(x, b1, c1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, TSimd sum0, TSimd sum1, TSimd alpha, TSimd beta, bool accumulate)
    {
        Update(c, sum0, alpha, beta, accumulate);
        if (TCount.Value > 1) Update(c + TSimd.Width, sum1, alpha, beta, accumulate);
    }

    /// <summary>The same rounding as the edge tiles of <see cref="GemmBlocked{TSimd}"/>: alpha * sum, plus beta * c fused in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(float* c, TSimd sum, TSimd alpha, TSimd beta, bool accumulate)
    {
        var result = accumulate
            ? TSimd.MultiplyAdd(sum, alpha, TSimd.Multiply(beta, TSimd.Load(c)))
            : TSimd.Multiply(sum, alpha);
        result.Store(c);
    }
}
