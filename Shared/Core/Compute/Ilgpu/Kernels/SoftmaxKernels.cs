using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>Row-wise softmax and its gradient, one thread per row.</summary>
internal static class SoftmaxKernels
{
    public static void Forward(Index1D row, ArrayView<float> x, ArrayView<float> y, int cols)
    {
        int start = row * cols;
        float max = float.NegativeInfinity;
        for (int c = 0; c < cols; c++) max = MathF.Max(max, x[start + c]);
        float sum = 0;
        for (int c = 0; c < cols; c++)
        {
            float e = MathF.Exp(x[start + c] - max);
            y[start + c] = e;
            sum += e;
        }
        for (int c = 0; c < cols; c++) y[start + c] /= sum;
    }

    public static void Backward(Index1D row, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int cols)
    {
        int start = row * cols;
        float dot = 0;
        for (int c = 0; c < cols; c++) dot += dy[start + c] * y[start + c];
        for (int c = 0; c < cols; c++) dx[start + c] = y[start + c] * (dy[start + c] - dot);
    }
}
