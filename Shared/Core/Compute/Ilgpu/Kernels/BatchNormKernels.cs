using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// Batch normalisation. The reductions run one thread per column over the rows in order, so they
/// are deterministic without atomics.
/// </summary>
internal static class BatchNormKernels
{
    /// <summary>Index: column. Two passes: the mean, then the squared deviations from it.</summary>
    public static void ColumnMeanVariance(Index1D column, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance,
        int rows, int cols)
    {
        float sum = 0;
        for (int r = 0; r < rows; r++) sum += x[r * cols + column];
        float mu = sum / rows;
        float squares = 0;
        for (int r = 0; r < rows; r++)
        {
            float d = x[r * cols + column] - mu;
            squares += d * d;
        }
        mean[column] = mu;
        variance[column] = squares / rows;
    }

    /// <summary>Index: element.</summary>
    public static void Forward(Index1D i, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> variance,
        ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> xHat, ArrayView<float> y, int cols, float eps)
    {
        int c = i % cols;
        float normalised = (x[i] - mean[c]) / MathF.Sqrt(variance[c] + eps);
        xHat[i] = normalised;
        y[i] = gamma[c] * normalised + beta[c];
    }

    /// <summary>Index: column.</summary>
    public static void BackwardReduce(Index1D column, ArrayView<float> dy, ArrayView<float> xHat,
        ArrayView<float> dGamma, ArrayView<float> dBeta, int rows, int cols)
    {
        float g = 0, b = 0;
        for (int r = 0; r < rows; r++)
        {
            int i = r * cols + column;
            g += dy[i] * xHat[i];
            b += dy[i];
        }
        dGamma[column] = g;
        dBeta[column] = b;
    }

    /// <summary>Index: element.</summary>
    public static void BackwardInput(Index1D i, ArrayView<float> dy, ArrayView<float> xHat, ArrayView<float> variance,
        ArrayView<float> gamma, ArrayView<float> dGamma, ArrayView<float> dBeta, ArrayView<float> dx, int cols, float eps, float count)
    {
        int c = i % cols;
        dx[i] = gamma[c] / MathF.Sqrt(variance[c] + eps) * (dy[i] - (dBeta[c] + xHat[i] * dGamma[c]) / count);
    }

    /// <summary>Index: column. <paramref name="unbias"/> is count / (count - 1).</summary>
    public static void UpdateRunningStatistics(Index1D column, ArrayView<float> runningMean, ArrayView<float> runningVariance,
        ArrayView<float> batchMean, ArrayView<float> batchVariance, float momentum, float unbias)
    {
        runningMean[column] = (1 - momentum) * runningMean[column] + momentum * batchMean[column];
        runningVariance[column] = (1 - momentum) * runningVariance[column] + momentum * batchVariance[column] * unbias;
    }
}
