using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The per-element passes of batch normalisation. Per-column factors are computed once into a
/// scratch row supplied by the backend, then each row is one vectorised pass.
/// </summary>
internal static class CpuBatchNorm
{
    public static void Forward(ReadOnlySpan<float> x, int rows, int cols, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        float eps, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> xHat, Span<float> y, Span<float> deviation)
    {
        StandardDeviation(variance, eps, deviation);
        for (int r = 0; r < rows; r++)
        {
            var hatRow = xHat.Slice(r * cols, cols);
            ElementWise.Map(new Normalise(), x.Slice(r * cols, cols), mean, deviation, hatRow);
            TensorPrimitives.FusedMultiplyAdd(hatRow, gamma, beta, y.Slice(r * cols, cols));
        }
    }

    /// <summary>dx = gamma / std * (dy - (dBeta + xHat * dGamma) / count), with the column factors folded first.</summary>
    public static void BackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> xHat, int rows, int cols,
        ReadOnlySpan<float> variance, float eps, ReadOnlySpan<float> gamma, ReadOnlySpan<float> dGamma,
        ReadOnlySpan<float> dBeta, int count, Span<float> dx, Span<float> scratch)
    {
        var scale = scratch.Slice(0, cols);
        var meanGradient = scratch.Slice(cols, cols);
        var slopeGradient = scratch.Slice(2 * cols, cols);
        StandardDeviation(variance, eps, scale);
        TensorPrimitives.Divide(gamma, scale, scale);
        TensorPrimitives.Divide(dBeta, count, meanGradient);
        TensorPrimitives.Divide(dGamma, count, slopeGradient);
        for (int r = 0; r < rows; r++)
        {
            var dxRow = dx.Slice(r * cols, cols);
            ElementWise.Map(new CenteredGradient(), xHat.Slice(r * cols, cols), slopeGradient, meanGradient, dxRow);
            TensorPrimitives.Subtract(dy.Slice(r * cols, cols), dxRow, dxRow);
            TensorPrimitives.Multiply(dxRow, scale, dxRow);
        }
    }

    /// <summary>running = (1 - momentum) * running + momentum * batch, the batch variance unbiased by count / (count - 1).</summary>
    public static void UpdateRunningStatistics(Span<float> runningMean, Span<float> runningVariance,
        ReadOnlySpan<float> batchMean, ReadOnlySpan<float> batchVariance, int count, float momentum)
    {
        float unbias = (float)((double)count / (count - 1));
        ElementWise.Map(new Blend(1 - momentum, momentum), runningMean, batchMean, runningMean);
        ElementWise.Map(new Blend(1 - momentum, momentum * unbias), runningVariance, batchVariance, runningVariance);
    }

    private static void StandardDeviation(ReadOnlySpan<float> variance, float eps, Span<float> deviation)
    {
        TensorPrimitives.Add(variance, eps, deviation);
        TensorPrimitives.Sqrt(deviation, deviation);
    }

    /// <summary>(x - mean) / std.</summary>
    private readonly struct Normalise : ITernaryOperator
    {
        public float Invoke(float x, float mean, float deviation) => (x - mean) / deviation;

        public Vector<float> Invoke(Vector<float> x, Vector<float> mean, Vector<float> deviation) => (x - mean) / deviation;
    }

    /// <summary>xHat * dGamma / count + dBeta / count.</summary>
    private readonly struct CenteredGradient : ITernaryOperator
    {
        public float Invoke(float xHat, float slope, float mean) => MathF.FusedMultiplyAdd(xHat, slope, mean);

        public Vector<float> Invoke(Vector<float> xHat, Vector<float> slope, Vector<float> mean) =>
            Vector.FusedMultiplyAdd(xHat, slope, mean);
    }

    /// <summary>keep * running + take * batch.</summary>
    private readonly struct Blend(float keep, float take) : IBinaryOperator
    {
        public float Invoke(float running, float batch) => keep * running + take * batch;

        public Vector<float> Invoke(Vector<float> running, Vector<float> batch) => running * keep + batch * take;
    }
}
