using DistTrainer.Core.Compute;
using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Reductions are deterministic: workers that run the same step must agree to the bit.
public abstract partial class ExactValueContract
{
    [ContractFact]
    public void Reductions_give_the_same_bits_twice()
    {
        const int rows = 7, cols = 13;
        using var both = Compare();
        var x = both.Of(BackendComparison.RandomValues(rows * cols, 20, -5f, 5f));
        var output = both.Of(BackendComparison.RandomValues(rows * cols, 21, -6f, 6f));
        var labels = both.Of(Enumerable.Range(0, rows).Select(r => (float)(r * 5 % cols)).ToArray());

        (float[] Sums, float[] Variance, float[] Gemm, float[] Grad, double Loss) Run()
        {
            var sums = both.Zeros(cols).Subject;
            var mean = both.Zeros(cols).Subject;
            var variance = both.Zeros(cols).Subject;
            var product = both.Zeros(cols * cols).Subject;
            var grad = both.Zeros(rows * cols).Subject;
            Backend.SumRows(x.Subject, rows, cols, sums);
            Backend.ColumnMeanVariance(x.Subject, rows, cols, mean, variance);
            Backend.Gemm(true, false, cols, cols, rows, 1f, x.Subject, x.Subject, 0f, product);
            double loss = Backend.Loss(LossKind.CrossEntropy, output.Subject, labels.Subject, rows, cols, 0.5f, grad);
            return (both.DownloadSubject(sums), both.DownloadSubject(variance), both.DownloadSubject(product),
                both.DownloadSubject(grad), loss);
        }

        var first = Run();
        var second = Run();
        Assert.Equal(first.Sums, second.Sums);
        Assert.Equal(first.Variance, second.Variance);
        Assert.Equal(first.Gemm, second.Gemm);
        Assert.Equal(first.Grad, second.Grad);
        Assert.Equal(first.Loss, second.Loss);
    }
}
