using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

internal static class DropoutKernels
{
    /// <summary>
    /// Index: element of this shard. <paramref name="firstIndex"/> is rowOffset * cols, the place
    /// of the shard's first element in the global batch, which is what <see cref="CounterRng"/> is
    /// keyed by. <paramref name="scale"/> is 1 / (1 - p), or 0 when p &gt;= 1.
    /// </summary>
    public static void Forward(Index1D i, ArrayView<float> x, ArrayView<float> mask, ArrayView<float> y,
        long firstIndex, float p, float scale, ulong seed)
    {
        float keep = CounterRng.Uniform(seed, firstIndex + i) >= p ? scale : 0f;
        mask[i] = keep;
        y[i] = x[i] * keep;
    }
}
