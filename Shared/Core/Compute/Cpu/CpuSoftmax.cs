using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>Row-wise softmax and its backward pass, each row vectorised along its columns.</summary>
internal static class CpuSoftmax
{
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int cols)
    {
        ElementWise.RequireLength(x.Length, y.Length);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            var output = y.Slice(r * cols, cols);
            TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), output);
            TensorPrimitives.Exp(output, output);
            TensorPrimitives.Divide(output, TensorPrimitives.Sum(output), output);
        }
    }

    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            var yRow = y.Slice(r * cols, cols);
            var dyRow = dy.Slice(r * cols, cols);
            ElementWise.Map(new Gradient(TensorPrimitives.Dot(dyRow, yRow)), yRow, dyRow, dx.Slice(r * cols, cols));
        }
    }

    /// <summary>y * (dy - dot), with dot the row's sum of dy * y.</summary>
    private readonly struct Gradient(float dot) : IBinaryOperator
    {
        public float Invoke(float y, float dy) => y * (dy - dot);

        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) => y * (dy - new Vector<float>(dot));
    }
}
