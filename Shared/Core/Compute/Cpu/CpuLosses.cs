using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Losses and their gradients. Each element's loss is computed in float and summed in double:
/// registers of losses are widened into double accumulators, so the sum is deterministic.
/// </summary>
internal static class CpuLosses
{
    public static double Compute(LossKind kind, ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int cols,
        float gradScale, Span<float> grad) => kind switch
        {
            LossKind.CrossEntropy => CrossEntropy(output, targets, rows, cols, gradScale, grad),
            LossKind.BceWithLogits => ElementWiseLoss(new BceWithLogits(), output, targets, gradScale, grad),
            LossKind.Bce => ElementWiseLoss(new Bce(), output, targets, gradScale, grad),
            LossKind.Mse => ElementWiseLoss(new Mse(), output, targets, gradScale, grad),
            LossKind.Mae => ElementWiseLoss(new Mae(), output, targets, gradScale, grad),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss"),
        };

    /// <summary>Per row: log-sum-exp (max-subtracted) minus the label's logit; grad = gradScale * (softmax - one-hot).</summary>
    private static double CrossEntropy(ReadOnlySpan<float> output, ReadOnlySpan<float> targets, int rows, int cols,
        float gradScale, Span<float> grad)
    {
        ElementWise.RequireLength(targets.Length, rows);
        double total = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = output.Slice(r * cols, cols);
            var gradRow = grad.Slice(r * cols, cols);
            int label = (int)targets[r];
            if (label < 0 || label >= cols || label != targets[r])
                throw new ArgumentException($"target {targets[r]} of row {r} is not a class index in [0, {cols})", nameof(targets));
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, gradRow);
            TensorPrimitives.Exp(gradRow, gradRow);
            float sum = TensorPrimitives.Sum(gradRow);
            total += max + Math.Log(sum) - row[label];
            TensorPrimitives.Multiply(gradRow, gradScale / sum, gradRow);
            gradRow[label] -= gradScale;
        }
        return total;
    }

    private static double ElementWiseLoss<TLoss>(TLoss loss, ReadOnlySpan<float> output, ReadOnlySpan<float> targets,
        float gradScale, Span<float> grad) where TLoss : struct, ILoss
    {
        ElementWise.RequireLength(targets.Length, output.Length);
        ElementWise.RequireLength(grad.Length, output.Length);
        ref float xs = ref MemoryMarshal.GetReference(output);
        ref float ts = ref MemoryMarshal.GetReference(targets);
        ref float gs = ref MemoryMarshal.GetReference(grad);
        var scale = new Vector<float>(gradScale);
        Vector<double> low = Vector<double>.Zero, high = Vector<double>.Zero;
        int i = 0;
        for (; i <= output.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var (value, derivative) = loss.Invoke(Vector.LoadUnsafe(ref xs, (nuint)i), Vector.LoadUnsafe(ref ts, (nuint)i));
            low += Vector.WidenLower(value);
            high += Vector.WidenUpper(value);
            (derivative * scale).StoreUnsafe(ref gs, (nuint)i);
        }
        double total = Vector.Sum(low + high);
        for (; i < output.Length; i++)
        {
            var (value, derivative) = loss.Invoke(output[i], targets[i]);
            total += value;
            grad[i] = derivative * gradScale;
        }
        return total;
    }

    private interface ILoss
    {
        (float Loss, float Derivative) Invoke(float x, float t);
        (Vector<float> Loss, Vector<float> Derivative) Invoke(Vector<float> x, Vector<float> t);
    }

    /// <summary>max(x, 0) - x * t + log(1 + exp(-|x|)); derivative sigmoid(x) - t.</summary>
    private readonly struct BceWithLogits : ILoss
    {
        public (float, float) Invoke(float x, float t) =>
            (MathF.Max(x, 0) - x * t + MathF.Log(1 + MathF.Exp(-MathF.Abs(x))), 1 / (1 + MathF.Exp(-x)) - t);

        public (Vector<float>, Vector<float>) Invoke(Vector<float> x, Vector<float> t) =>
            (Vector.Max(x, Vector<float>.Zero) - x * t + Vector.Log(Vector<float>.One + Vector.Exp(-Vector.Abs(x))),
                Vector<float>.One / (Vector<float>.One + Vector.Exp(-x)) - t);
    }

    /// <summary>-(t * max(log x, -100) + (1 - t) * max(log(1 - x), -100)); derivative (x - t) / max((1 - x) * x, 1e-12).</summary>
    private readonly struct Bce : ILoss
    {
        private const float LogFloor = -100;
        private const float ProductFloor = 1e-12f;

        public (float, float) Invoke(float x, float t) =>
            (-(t * MathF.Max(MathF.Log(x), LogFloor) + (1 - t) * MathF.Max(MathF.Log(1 - x), LogFloor)),
                (x - t) / MathF.Max((1 - x) * x, ProductFloor));

        public (Vector<float>, Vector<float>) Invoke(Vector<float> x, Vector<float> t)
        {
            var floor = new Vector<float>(LogFloor);
            var one = Vector<float>.One;
            return (-(t * Vector.Max(Vector.Log(x), floor) + (one - t) * Vector.Max(Vector.Log(one - x), floor)),
                (x - t) / Vector.Max((one - x) * x, new Vector<float>(ProductFloor)));
        }
    }

    /// <summary>(x - t)^2; derivative 2 (x - t).</summary>
    private readonly struct Mse : ILoss
    {
        public (float, float) Invoke(float x, float t) => ((x - t) * (x - t), 2 * (x - t));

        public (Vector<float>, Vector<float>) Invoke(Vector<float> x, Vector<float> t) => ((x - t) * (x - t), (x - t) * 2);
    }

    /// <summary>|x - t|; derivative sign(x - t), with sign(0) = 0.</summary>
    private readonly struct Mae : ILoss
    {
        public (float, float) Invoke(float x, float t)
        {
            float d = x - t;
            return (MathF.Abs(d), d > 0 ? 1 : d < 0 ? -1 : 0);
        }

        public (Vector<float>, Vector<float>) Invoke(Vector<float> x, Vector<float> t)
        {
            var d = x - t;
            var sign = Vector.ConditionalSelect(Vector.GreaterThan(d, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero)
                - Vector.ConditionalSelect(Vector.LessThan(d, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
            return (Vector.Abs(d), sign);
        }
    }
}
