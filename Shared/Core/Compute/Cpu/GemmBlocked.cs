namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The GotoBLAS loop nest over one region of C: column blocks, depth blocks (B packed), row
/// blocks (A packed), then micro-kernel tiles. Tiles cut by the edge of the region are computed
/// into the workspace and their valid part copied with the kernel's rounding.
/// </summary>
internal static unsafe class GemmBlocked<TSimd> where TSimd : struct, ISimdFloat<TSimd>
{
    public static int KernelRows => TSimd.KernelRows;

    public static int KernelColumns => 2 * TSimd.Width;

    public static void Compute(in GemmProblem problem, GemmRegion region, GemmWorkspace workspace)
    {
        int depthBlock = GemmBlocking.DepthBlockLength(problem.K);
        for (int jc = region.ColumnStart; jc < region.ColumnEnd; jc += GemmBlocking.Columns)
        {
            int nc = Math.Min(GemmBlocking.Columns, region.ColumnEnd - jc);
            for (int pc = 0; pc < problem.K; pc += depthBlock)
            {
                int kc = Math.Min(depthBlock, problem.K - pc);
                GemmPacking.Pack(problem.B + (long)jc * problem.BLineStride + (long)pc * problem.BDepthStride,
                    problem.BLineStride, problem.BDepthStride, nc, kc, KernelColumns, workspace.PackedB);
                bool accumulate = pc > 0 || problem.Beta != 0;
                float beta = pc > 0 ? 1 : problem.Beta;
                for (int ic = region.RowStart; ic < region.RowEnd; ic += GemmBlocking.Rows)
                {
                    int mc = Math.Min(GemmBlocking.Rows, region.RowEnd - ic);
                    GemmPacking.Pack(problem.A + (long)ic * problem.ALineStride + (long)pc * problem.ADepthStride,
                        problem.ALineStride, problem.ADepthStride, mc, kc, KernelRows, workspace.PackedA);
                    float* c = problem.C + (long)ic * problem.N + jc;
                    Block(mc, nc, kc, workspace, c, problem.N, problem.Alpha, beta, accumulate);
                }
            }
        }
    }

    private static void Block(int mc, int nc, int kc, GemmWorkspace workspace, float* c, int ldc,
        float alpha, float beta, bool accumulate)
    {
        for (int jr = 0; jr < nc; jr += KernelColumns)
        {
            int columns = Math.Min(KernelColumns, nc - jr);
            float* b = workspace.PackedB + jr * kc;
            for (int ir = 0; ir < mc; ir += KernelRows)
            {
                int rows = Math.Min(KernelRows, mc - ir);
                float* a = workspace.PackedA + ir * kc;
                float* tile = c + (long)ir * ldc + jr;
                if (rows == KernelRows && columns == KernelColumns)
                    GemmMicroKernel<TSimd, TwoVectors>.Run(kc, a, b, tile, ldc, alpha, beta, accumulate);
                else if (rows == KernelRows && columns == TSimd.Width)
                    GemmMicroKernel<TSimd, OneVector>.Run(kc, a, b, tile, ldc, alpha, beta, accumulate);
                else
                    Edge(kc, a, b, workspace.Tile, tile, ldc, rows, columns, alpha, beta, accumulate);
            }
        }
    }

    private static void Edge(int kc, float* a, float* b, float* sums, float* c, int ldc, int rows, int columns,
        float alpha, float beta, bool accumulate)
    {
        if (columns > TSimd.Width)
            GemmMicroKernel<TSimd, TwoVectors>.Run(kc, a, b, sums, KernelColumns, 1, 0, false);
        else
            GemmMicroKernel<TSimd, OneVector>.Run(kc, a, b, sums, KernelColumns, 1, 0, false);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < columns; j++)
            {
                float sum = sums[r * KernelColumns + j];
                float* target = c + (long)r * ldc + j;
                *target = accumulate ? MathF.FusedMultiplyAdd(sum, alpha, beta * *target) : sum * alpha;
            }
    }
}
