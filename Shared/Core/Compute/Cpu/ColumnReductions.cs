using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Sums down the columns of a row-major matrix. Each iterates over rows and adds a whole row of
/// column accumulators at a time, so every column is summed in row order: deterministic, and
/// vectorised along the columns.
/// </summary>
internal static class ColumnReductions
{
    public static void SumRows(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> result)
    {
        result.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(result, matrix.Slice(r * cols, cols), result);
    }

    /// <summary>Mean, then the mean of squared deviations from it (biased).</summary>
    public static void MeanVariance(ReadOnlySpan<float> x, int rows, int cols, Span<float> mean, Span<float> variance)
    {
        SumRows(x, rows, cols, mean);
        TensorPrimitives.Divide(mean, rows, mean);
        variance.Clear();
        for (int r = 0; r < rows; r++)
            ElementWise.Map(new AddSquaredDeviation(), x.Slice(r * cols, cols), mean, variance, variance);
        TensorPrimitives.Divide(variance, rows, variance);
    }

    /// <summary>dGamma = column sums of dy * xHat, dBeta = column sums of dy.</summary>
    public static void BatchNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xHat, int rows, int cols,
        Span<float> dGamma, Span<float> dBeta)
    {
        dGamma.Clear();
        dBeta.Clear();
        for (int r = 0; r < rows; r++)
        {
            var dyRow = dy.Slice(r * cols, cols);
            TensorPrimitives.FusedMultiplyAdd(dyRow, xHat.Slice(r * cols, cols), dGamma, dGamma);
            TensorPrimitives.Add(dBeta, dyRow, dBeta);
        }
    }

    /// <summary>sum + (x - mean)^2.</summary>
    private readonly struct AddSquaredDeviation : ITernaryOperator
    {
        public float Invoke(float x, float mean, float sum)
        {
            float d = x - mean;
            return MathF.FusedMultiplyAdd(d, d, sum);
        }

        public Vector<float> Invoke(Vector<float> x, Vector<float> mean, Vector<float> sum)
        {
            var d = x - mean;
            return Vector.FusedMultiplyAdd(d, d, sum);
        }
    }
}
