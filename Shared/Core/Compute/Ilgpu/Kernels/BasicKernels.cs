using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>Fill, element-wise product, and the bias add and its gradient (row vector add, column sums).</summary>
internal static class BasicKernels
{
    public static void Fill(Index1D i, ArrayView<float> destination, float value) => destination[i] = value;

    public static void Multiply(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> result) =>
        result[i] = a[i] * b[i];

    /// <summary>Index: element of the [rows, cols] matrix.</summary>
    public static void AddRowVector(Index1D i, ArrayView<float> matrix, ArrayView<float> vector, int cols) =>
        matrix[i] += vector[i % cols];

    /// <summary>Index: column. Sums its rows in order, so the result does not depend on the launch.</summary>
    public static void SumRows(Index1D column, ArrayView<float> matrix, ArrayView<float> result, int rows, int cols)
    {
        float sum = 0;
        for (int r = 0; r < rows; r++) sum += matrix[r * cols + column];
        result[column] = sum;
    }
}
