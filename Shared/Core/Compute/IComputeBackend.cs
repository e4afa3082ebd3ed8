namespace DistTrainer.Core.Compute;

/// <summary>
/// The operations layers and losses are made of. Every backend computes the same results: the
/// vectorised CPU backend and the ILGPU kernels are tested against <see cref="ReferenceBackend"/>.
/// Matrices are row-major. Unless said otherwise an operation overwrites its outputs, and an output
/// may not alias an input. Reductions are deterministic: the same inputs give the same bits.
/// </summary>
public interface IComputeBackend : IDisposable
{
    string Name { get; }

    /// <summary>A zero-filled array. Allocate once per model and batch size, reuse every step.</summary>
    DeviceArray Allocate(int length);

    void Upload(ReadOnlySpan<float> source, DeviceSlice destination);
    void Download(DeviceSlice source, Span<float> destination);
    void Fill(DeviceSlice destination, float value);
    void Copy(DeviceSlice source, DeviceSlice destination);

    /// <summary>
    /// C = alpha * op(A) * op(B) + beta * C, with op(A) of shape [m, k] and op(B) of shape [k, n].
    /// A is stored [m, k], or [k, m] when <paramref name="transposeA"/>; B is stored [k, n], or
    /// [n, k] when <paramref name="transposeB"/>. With beta = 0, C's old contents are ignored (NaN included).
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k,
        float alpha, DeviceSlice a, DeviceSlice b, float beta, DeviceSlice c);

    /// <summary>matrix[r, c] += vector[c].</summary>
    void AddRowVector(DeviceSlice matrix, int rows, int cols, DeviceSlice vector);

    /// <summary>result[c] = sum over r of matrix[r, c], summed in row order.</summary>
    void SumRows(DeviceSlice matrix, int rows, int cols, DeviceSlice result);

    /// <summary>y = f(x), element-wise.</summary>
    void ActivationForward(Activation activation, DeviceSlice x, DeviceSlice y);

    /// <summary>dx = f'(x) * dy, element-wise; y = f(x) is given for the activations whose derivative is cheaper from it.</summary>
    void ActivationBackward(Activation activation, DeviceSlice x, DeviceSlice y, DeviceSlice dy, DeviceSlice dx);

    /// <summary>Row-wise softmax, max-subtracted.</summary>
    void SoftmaxForward(DeviceSlice x, DeviceSlice y, int rows, int cols);

    /// <summary>dx[r, c] = y[r, c] * (dy[r, c] - sum over j of dy[r, j] * y[r, j]).</summary>
    void SoftmaxBackward(DeviceSlice y, DeviceSlice dy, DeviceSlice dx, int rows, int cols);

    /// <summary>Per-column mean and biased variance (divided by rows), two-pass: mean first, then squared deviations.</summary>
    void ColumnMeanVariance(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance);

    /// <summary>
    /// xHat = (x - mean[c]) / sqrt(variance[c] + eps); y = gamma[c] * xHat + beta[c].
    /// Training passes the batch statistics, inference the running ones.
    /// </summary>
    void BatchNormForward(DeviceSlice x, int rows, int cols, DeviceSlice mean, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice beta, DeviceSlice xHat, DeviceSlice y);

    /// <summary>dGamma[c] = sum over r of dy * xHat; dBeta[c] = sum over r of dy.</summary>
    void BatchNormBackwardReduce(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice dGamma, DeviceSlice dBeta);

    /// <summary>
    /// dx = gamma[c] / sqrt(variance[c] + eps) * (dy - (dBeta[c] + xHat * dGamma[c]) / count).
    /// <paramref name="count"/> is the number of rows the statistics were taken over: this slice's
    /// rows, or the global batch when dGamma and dBeta were summed across workers.
    /// </summary>
    void BatchNormBackwardInput(DeviceSlice dy, DeviceSlice xHat, int rows, int cols, DeviceSlice variance, float eps,
        DeviceSlice gamma, DeviceSlice dGamma, DeviceSlice dBeta, int count, DeviceSlice dx);

    /// <summary>
    /// running = (1 - momentum) * running + momentum * batch, where the batch variance enters
    /// unbiased: variance * count / (count - 1), as PyTorch's BatchNorm1d.
    /// </summary>
    void UpdateRunningStatistics(DeviceSlice runningMean, DeviceSlice runningVariance,
        DeviceSlice batchMean, DeviceSlice batchVariance, int count, float momentum);

    /// <summary>
    /// Inverted dropout: mask = 1 / (1 - p) where <see cref="CounterRng.Uniform"/>(seed, (rowOffset + r) * cols + c) &gt;= p,
    /// else 0 (all 0 when p &gt;= 1); y = x * mask. rowOffset is the rows' place in the global batch,
    /// so a shard draws the same mask as the whole batch would.
    /// </summary>
    void DropoutForward(DeviceSlice x, int rows, int cols, int rowOffset, float p, ulong seed, DeviceSlice mask, DeviceSlice y);

    /// <summary>result = a * b, element-wise.</summary>
    void Multiply(DeviceSlice a, DeviceSlice b, DeviceSlice result);

    /// <summary>
    /// Loss of output [rows, cols] against targets ([rows] class indices for CrossEntropy, else
    /// [rows, cols]); writes gradScale * dLoss/dOutput of the summed loss into grad and returns
    /// the summed loss (over rows for CrossEntropy, over elements otherwise), accumulated in double.
    /// </summary>
    double Loss(LossKind kind, DeviceSlice output, DeviceSlice targets, int rows, int cols, float gradScale, DeviceSlice grad);
}
