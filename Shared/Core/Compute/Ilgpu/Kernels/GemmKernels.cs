using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// C = alpha * op(A) * op(B) + beta * C. Both kernels add the products of one output in the same
/// order (p = 0 .. k - 1), so they agree with each other on every accelerator that does not fuse
/// multiply-adds.
/// </summary>
internal static class GemmKernels
{
    /// <summary>
    /// One thread per output element, reading A and B straight from memory. For ILGPU's CPU
    /// accelerator, which simulates group barriers with OS threads and runs tiled kernels hundreds
    /// of times slower than this one. Index: (col, row).
    /// </summary>
    public static void OneThreadPerOutput(Index2D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape shape)
    {
        int col = index.X, row = index.Y;
        float sum = 0;
        for (int p = 0; p < shape.K; p++)
            sum += a[shape.AIndex(row, p)] * b[shape.BIndex(p, col)];
        shape.Store(c, row, col, sum);
    }

    /// <summary>
    /// A group of tile x tile threads computes one tile x tile block of C, staging tiles of op(A)
    /// and op(B) in shared memory. Launch with a grid of (ceil(n / tile), ceil(m / tile)) groups of
    /// (tile, tile) threads.
    /// </summary>
    public static void SharedMemoryTiles<TTile>(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, GemmShape shape)
        where TTile : struct, ITileSize
    {
        int tile = default(TTile).Size;
        // One padding column: a transposed operand is stored down a column of the tile, and an odd
        // pitch sends those stores to distinct shared-memory banks.
        int pitch = tile + 1;
        var aTile = SharedMemory.Allocate<float>(default(TTile).Size * (default(TTile).Size + 1));
        var bTile = SharedMemory.Allocate<float>(default(TTile).Size * (default(TTile).Size + 1));

        int tx = Group.IdxX, ty = Group.IdxY;
        int row0 = Grid.IdxY * tile, col0 = Grid.IdxX * tile;
        // Each thread loads one element of each tile, chosen so that neighbouring threads (in x)
        // read neighbouring addresses whichever way the operand is stored.
        int aRow = shape.TransposeA != 0 ? tx : ty, aDepth = shape.TransposeA != 0 ? ty : tx;
        int bDepth = shape.TransposeB != 0 ? tx : ty, bCol = shape.TransposeB != 0 ? ty : tx;

        float sum = 0;
        for (int k0 = 0; k0 < shape.K; k0 += tile)
        {
            // Outside the matrix the load is redirected to element 0 and replaced by 0, so that no
            // thread reads past the end even if the compiler turns the choice into a select.
            bool aInside = row0 + aRow < shape.M && k0 + aDepth < shape.K;
            float aValue = a[aInside ? shape.AIndex(row0 + aRow, k0 + aDepth) : 0];
            aTile[aRow * pitch + aDepth] = aInside ? aValue : 0;

            bool bInside = k0 + bDepth < shape.K && col0 + bCol < shape.N;
            float bValue = b[bInside ? shape.BIndex(k0 + bDepth, col0 + bCol) : 0];
            bTile[bDepth * pitch + bCol] = bInside ? bValue : 0;

            Group.Barrier();
            for (int p = 0; p < tile; p++)
                sum += aTile[ty * pitch + p] * bTile[p * pitch + tx];
            Group.Barrier();
        }

        if (row0 + ty < shape.M && col0 + tx < shape.N)
            shape.Store(c, row0 + ty, col0 + tx, sum);
    }
}
