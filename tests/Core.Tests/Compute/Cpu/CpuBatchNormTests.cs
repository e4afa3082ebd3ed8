using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class CpuBatchNormTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(130, 33)]
    public void Forward_and_backward_input_match_the_reference(int rows, int cols)
    {
        using var pair = CpuComparison.Create(rows * cols);
        var x = pair.Random(rows * cols, -2, 3);
        var mean = pair.Random(cols);
        var variance = pair.Random(cols, 0.1f, 2);
        var gamma = pair.Random(cols, 0.5f, 1.5f);
        var beta = pair.Random(cols);
        var xHat = pair.Zeros(rows * cols);
        var y = pair.Zeros(rows * cols);
        var dy = pair.Random(rows * cols);
        var dGamma = pair.Random(cols);
        var dBeta = pair.Random(cols);
        var dx = pair.Zeros(rows * cols);

        pair.Subject.BatchNormForward(x.Subject, rows, cols, mean.Subject, variance.Subject, 1e-5f, gamma.Subject, beta.Subject, xHat.Subject, y.Subject);
        pair.Reference.BatchNormForward(x.Reference, rows, cols, mean.Reference, variance.Reference, 1e-5f,
            gamma.Reference, beta.Reference, xHat.Reference, y.Reference);
        pair.Subject.BatchNormBackwardInput(dy.Subject, xHat.Subject, rows, cols, variance.Subject, 1e-5f, gamma.Subject, dGamma.Subject, dBeta.Subject, 256, dx.Subject);
        pair.Reference.BatchNormBackwardInput(dy.Reference, xHat.Reference, rows, cols, variance.Reference, 1e-5f,
            gamma.Reference, dGamma.Reference, dBeta.Reference, 256, dx.Reference);

        Tolerance.Close(xHat.ReferenceValues, xHat.SubjectValues);
        Tolerance.Close(y.ReferenceValues, y.SubjectValues);
        Tolerance.Close(dx.ReferenceValues, dx.SubjectValues);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(256)]
    public void Running_statistics_blend_in_the_unbiased_batch_variance(int cols)
    {
        using var pair = CpuComparison.Create(cols);
        var runningMean = pair.Random(cols);
        var runningVariance = pair.Random(cols, 0.5f, 2);
        var batchMean = pair.Random(cols);
        var batchVariance = pair.Random(cols, 0.5f, 2);

        pair.Subject.UpdateRunningStatistics(runningMean.Subject, runningVariance.Subject, batchMean.Subject, batchVariance.Subject, 128, 0.1f);
        pair.Reference.UpdateRunningStatistics(runningMean.Reference, runningVariance.Reference,
            batchMean.Reference, batchVariance.Reference, 128, 0.1f);

        Tolerance.Close(runningMean.ReferenceValues, runningMean.SubjectValues);
        Tolerance.Close(runningVariance.ReferenceValues, runningVariance.SubjectValues);
    }
}
