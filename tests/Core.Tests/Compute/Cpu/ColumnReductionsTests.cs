using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class ColumnReductionsTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 17 }, { 130, 33 }, { 128, 256 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sum_rows_matches_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows);
        var x = pair.Random(rows * cols);
        var sum = pair.Zeros(cols);

        pair.Subject.SumRows(x.Subject, rows, cols, sum.Subject);
        pair.Reference.SumRows(x.Reference, rows, cols, sum.Reference);

        Tolerance.Close(sum.ReferenceValues, sum.SubjectValues, scale: rows);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Column_mean_and_variance_match_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows);
        var x = pair.Random(rows * cols, 2, 5);
        var mean = pair.Zeros(cols);
        var variance = pair.Zeros(cols);

        pair.Subject.ColumnMeanVariance(x.Subject, rows, cols, mean.Subject, variance.Subject);
        pair.Reference.ColumnMeanVariance(x.Reference, rows, cols, mean.Reference, variance.Reference);

        Tolerance.Close(mean.ReferenceValues, mean.SubjectValues);
        Tolerance.Close(variance.ReferenceValues, variance.SubjectValues, scale: 1e-2);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Batch_norm_backward_reduce_matches_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows);
        var dy = pair.Random(rows * cols);
        var xHat = pair.Random(rows * cols, -3, 3);
        var dGamma = pair.Zeros(cols);
        var dBeta = pair.Zeros(cols);

        pair.Subject.BatchNormBackwardReduce(dy.Subject, xHat.Subject, rows, cols, dGamma.Subject, dBeta.Subject);
        pair.Reference.BatchNormBackwardReduce(dy.Reference, xHat.Reference, rows, cols, dGamma.Reference, dBeta.Reference);

        Tolerance.Close(dGamma.ReferenceValues, dGamma.SubjectValues, scale: 3 * rows);
        Tolerance.Close(dBeta.ReferenceValues, dBeta.SubjectValues, scale: rows);
    }

    [Fact]
    public void Columns_are_summed_in_row_order()
    {
        using var pair = CpuComparison.Create();
        // In row order 1e8 + 1 - 1e8 rounds to 0 in float; any other order could give 1.
        var x = pair.Of([1e8f, 1, -1e8f]);
        var sum = pair.Zeros(1);

        pair.Subject.SumRows(x.Subject, 3, 1, sum.Subject);

        Assert.Equal([0f], sum.SubjectValues);
    }
}
