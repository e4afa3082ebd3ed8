using Xunit;

namespace DistTrainer.Shared.Tests.Compute.Cpu;

public sealed class ColumnReductionsTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 17 }, { 130, 33 }, { 128, 256 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Sum_rows_matches_the_reference(int rows, int cols)
    {
        using var pair = new BackendPair(rows);
        var x = pair.Random(rows * cols);
        var sum = pair.Zeros(cols);

        pair.Cpu.SumRows(x.Cpu, rows, cols, sum.Cpu);
        pair.Reference.SumRows(x.Reference, rows, cols, sum.Reference);

        Tolerance.Close(sum.ReferenceValues, sum.CpuValues, scale: rows);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Column_mean_and_variance_match_the_reference(int rows, int cols)
    {
        using var pair = new BackendPair(rows);
        var x = pair.Random(rows * cols, 2, 5);
        var mean = pair.Zeros(cols);
        var variance = pair.Zeros(cols);

        pair.Cpu.ColumnMeanVariance(x.Cpu, rows, cols, mean.Cpu, variance.Cpu);
        pair.Reference.ColumnMeanVariance(x.Reference, rows, cols, mean.Reference, variance.Reference);

        Tolerance.Close(mean.ReferenceValues, mean.CpuValues);
        Tolerance.Close(variance.ReferenceValues, variance.CpuValues, scale: 1e-2);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Batch_norm_backward_reduce_matches_the_reference(int rows, int cols)
    {
        using var pair = new BackendPair(rows);
        var dy = pair.Random(rows * cols);
        var xHat = pair.Random(rows * cols, -3, 3);
        var dGamma = pair.Zeros(cols);
        var dBeta = pair.Zeros(cols);

        pair.Cpu.BatchNormBackwardReduce(dy.Cpu, xHat.Cpu, rows, cols, dGamma.Cpu, dBeta.Cpu);
        pair.Reference.BatchNormBackwardReduce(dy.Reference, xHat.Reference, rows, cols, dGamma.Reference, dBeta.Reference);

        Tolerance.Close(dGamma.ReferenceValues, dGamma.CpuValues, scale: 3 * rows);
        Tolerance.Close(dBeta.ReferenceValues, dBeta.CpuValues, scale: rows);
    }

    [Fact]
    public void Columns_are_summed_in_row_order()
    {
        using var pair = new BackendPair();
        // In row order 1e8 + 1 - 1e8 rounds to 0 in float; any other order could give 1.
        var x = pair.Of([1e8f, 1, -1e8f]);
        var sum = pair.Zeros(1);

        pair.Cpu.SumRows(x.Cpu, 3, 1, sum.Cpu);

        Assert.Equal([0f], sum.CpuValues);
    }
}
