using DistTrainer.Core.Tests.Compute.Contract.Skipping;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Contract;

// Batch normalisation: normalising with given statistics, the input gradient and the running statistics.
public abstract partial class BackendContract
{
    /// <summary>Rows, columns, and the rows the statistics span: more than these, as when summed across workers.</summary>
    public static TheoryData<int, int, int> BatchNormShapes =>
        new() { { 1, 1, 256 }, { 3, 17, 256 }, { 7, 13, 21 }, { 130, 33, 256 } };

    /// <summary>Columns and the batch size whose variance enters unbiased.</summary>
    public static TheoryData<int, int> RunningStatisticsShapes => new() { { 1, 128 }, { 13, 7 }, { 17, 128 }, { 256, 128 } };

    [ContractTheory]
    [MemberData(nameof(BatchNormShapes))]
    public void Batch_norm_forward_and_backward_input_match_the_reference(int rows, int cols, int count)
    {
        using var both = Compare(rows * cols);
        var x = both.Random(rows * cols, -2, 3);
        var mean = both.Random(cols);
        var variance = both.Random(cols, 0.1f, 2);
        var gamma = both.Random(cols, 0.5f, 1.5f);
        var beta = both.Random(cols);
        var xHat = both.Zeros(rows * cols);
        var y = both.Zeros(rows * cols);
        var dy = both.Random(rows * cols);
        var dGamma = both.Random(cols);
        var dBeta = both.Random(cols);
        var dx = both.Zeros(rows * cols);

        Backend.BatchNormForward(x.Subject, rows, cols, mean.Subject, variance.Subject, 1e-5f,
            gamma.Subject, beta.Subject, xHat.Subject, y.Subject);
        both.Reference.BatchNormForward(x.Reference, rows, cols, mean.Reference, variance.Reference, 1e-5f,
            gamma.Reference, beta.Reference, xHat.Reference, y.Reference);
        Backend.BatchNormBackwardInput(dy.Subject, xHat.Subject, rows, cols, variance.Subject, 1e-5f,
            gamma.Subject, dGamma.Subject, dBeta.Subject, count, dx.Subject);
        both.Reference.BatchNormBackwardInput(dy.Reference, xHat.Reference, rows, cols, variance.Reference, 1e-5f,
            gamma.Reference, dGamma.Reference, dBeta.Reference, count, dx.Reference);

        both.AssertClose(xHat);
        both.AssertClose(y);
        both.AssertClose(dx);
    }

    [ContractTheory]
    [MemberData(nameof(RunningStatisticsShapes))]
    public void Running_statistics_blend_in_the_unbiased_batch_variance(int cols, int count)
    {
        using var both = Compare(cols);
        var runningMean = both.Random(cols);
        var runningVariance = both.Random(cols, 0.5f, 2);
        var batchMean = both.Random(cols);
        var batchVariance = both.Random(cols, 0.1f, 3);

        Backend.UpdateRunningStatistics(runningMean.Subject, runningVariance.Subject,
            batchMean.Subject, batchVariance.Subject, count, 0.1f);
        both.Reference.UpdateRunningStatistics(runningMean.Reference, runningVariance.Reference,
            batchMean.Reference, batchVariance.Reference, count, 0.1f);

        both.AssertClose(runningMean);
        both.AssertClose(runningVariance);
    }
}
