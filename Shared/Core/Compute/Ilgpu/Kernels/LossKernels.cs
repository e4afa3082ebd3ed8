using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// Losses write each row's (cross-entropy) or element's loss into a scratch view; the host sums
/// those in double in index order, so the total does not depend on how threads were scheduled.
/// </summary>
internal static class LossKernels
{
    /// <summary>Index: row. Targets hold one class index per row.</summary>
    public static void CrossEntropy(Index1D row, ArrayView<float> output, ArrayView<float> targets, ArrayView<float> grad,
        ArrayView<float> rowLoss, int cols, float gradScale)
    {
        int start = row * cols;
        int label = (int)targets[row];
        float max = float.NegativeInfinity;
        for (int c = 0; c < cols; c++) max = MathF.Max(max, output[start + c]);
        float sum = 0;
        for (int c = 0; c < cols; c++) sum += MathF.Exp(output[start + c] - max);
        float logSumExp = max + MathF.Log(sum);
        rowLoss[row] = logSumExp - output[start + label];
        for (int c = 0; c < cols; c++)
            grad[start + c] = gradScale * (MathF.Exp(output[start + c] - logSumExp) - (c == label ? 1f : 0f));
    }

    /// <summary>Index: element. For every kind but CrossEntropy; targets have the output's shape.</summary>
    public static void Elementwise(Index1D i, ArrayView<float> output, ArrayView<float> targets, ArrayView<float> grad,
        ArrayView<float> elementLoss, int kind, float gradScale)
    {
        float x = output[i], t = targets[i];
        float loss, derivative;
        switch ((LossKind)kind)
        {
            case LossKind.BceWithLogits:
                loss = MathF.Max(x, 0) - x * t + MathF.Log(1 + MathF.Exp(-MathF.Abs(x)));
                derivative = DeviceMath.Sigmoid(x) - t;
                break;
            case LossKind.Bce:
                loss = -(t * MathF.Max(MathF.Log(x), -100f) + (1 - t) * MathF.Max(MathF.Log(1 - x), -100f));
                derivative = (x - t) / MathF.Max((1 - x) * x, 1e-12f);
                break;
            case LossKind.Mse:
                loss = (x - t) * (x - t);
                derivative = 2 * (x - t);
                break;
            default:
                loss = MathF.Abs(x - t);
                derivative = x > t ? 1f : x < t ? -1f : 0f;
                break;
        }
        elementLoss[i] = loss;
        grad[i] = gradScale * derivative;
    }
}
