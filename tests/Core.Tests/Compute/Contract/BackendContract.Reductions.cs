using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Column reductions: sums in row order, batch statistics and the batch-norm parameter gradients.
public abstract partial class BackendContract
{
    public static TheoryData<int, int> ReductionShapes => new() { { 1, 1 }, { 3, 17 }, { 7, 13 }, { 130, 33 }, { 128, 256 } };

    [ContractTheory]
    [MemberData(nameof(ReductionShapes))]
    public void Sum_rows_matches_the_reference(int rows, int cols)
    {
        using var both = Compare(rows);
        var x = both.Random(rows * cols);
        var sum = both.Zeros(cols);

        Backend.SumRows(x.Subject, rows, cols, sum.Subject);
        both.Reference.SumRows(x.Reference, rows, cols, sum.Reference);

        both.AssertClose(sum);
    }

    [ContractTheory]
    [MemberData(nameof(ReductionShapes))]
    public void Column_mean_and_variance_match_the_reference(int rows, int cols)
    {
        using var both = Compare(rows);
        var x = both.Random(rows * cols, 2, 5);
        var mean = both.Zeros(cols);
        var variance = both.Zeros(cols);

        Backend.ColumnMeanVariance(x.Subject, rows, cols, mean.Subject, variance.Subject);
        both.Reference.ColumnMeanVariance(x.Reference, rows, cols, mean.Reference, variance.Reference);

        both.AssertClose(mean);
        both.AssertClose(variance, floor: 1e-2);
    }

    [ContractTheory]
    [MemberData(nameof(ReductionShapes))]
    public void Batch_norm_backward_reduce_matches_the_reference(int rows, int cols)
    {
        using var both = Compare(rows);
        var dy = both.Random(rows * cols);
        var xHat = both.Random(rows * cols, -3, 3);
        var dGamma = both.Zeros(cols);
        var dBeta = both.Zeros(cols);

        Backend.BatchNormBackwardReduce(dy.Subject, xHat.Subject, rows, cols, dGamma.Subject, dBeta.Subject);
        both.Reference.BatchNormBackwardReduce(dy.Reference, xHat.Reference, rows, cols, dGamma.Reference, dBeta.Reference);

        both.AssertClose(dGamma);
        both.AssertClose(dBeta);
    }

    [ContractFact]
    public void Columns_are_summed_in_row_order_in_float32()
    {
        using var both = Compare();
        // In row order 1e8 + 1 - 1e8 rounds to 0 in float; any other order could give 1.
        var x = both.Of([1e8f, 1, -1e8f]);
        var sum = both.Zeros(1);

        Backend.SumRows(x.Subject, 3, 1, sum.Subject);

        Assert.Equal([0f], sum.SubjectValues);
    }
}
