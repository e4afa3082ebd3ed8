using Xunit;

namespace DistTrainer.Shared.Tests.Compute.Cpu;

public sealed class CpuBatchNormTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 17)]
    [InlineData(130, 33)]
    public void Forward_and_backward_input_match_the_reference(int rows, int cols)
    {
        using var pair = new BackendPair(rows * cols);
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

        pair.Cpu.BatchNormForward(x.Cpu, rows, cols, mean.Cpu, variance.Cpu, 1e-5f, gamma.Cpu, beta.Cpu, xHat.Cpu, y.Cpu);
        pair.Reference.BatchNormForward(x.Reference, rows, cols, mean.Reference, variance.Reference, 1e-5f,
            gamma.Reference, beta.Reference, xHat.Reference, y.Reference);
        pair.Cpu.BatchNormBackwardInput(dy.Cpu, xHat.Cpu, rows, cols, variance.Cpu, 1e-5f, gamma.Cpu, dGamma.Cpu, dBeta.Cpu, 256, dx.Cpu);
        pair.Reference.BatchNormBackwardInput(dy.Reference, xHat.Reference, rows, cols, variance.Reference, 1e-5f,
            gamma.Reference, dGamma.Reference, dBeta.Reference, 256, dx.Reference);

        Tolerance.Close(xHat.ReferenceValues, xHat.CpuValues);
        Tolerance.Close(y.ReferenceValues, y.CpuValues);
        Tolerance.Close(dx.ReferenceValues, dx.CpuValues);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(256)]
    public void Running_statistics_blend_in_the_unbiased_batch_variance(int cols)
    {
        using var pair = new BackendPair(cols);
        var runningMean = pair.Random(cols);
        var runningVariance = pair.Random(cols, 0.5f, 2);
        var batchMean = pair.Random(cols);
        var batchVariance = pair.Random(cols, 0.5f, 2);

        pair.Cpu.UpdateRunningStatistics(runningMean.Cpu, runningVariance.Cpu, batchMean.Cpu, batchVariance.Cpu, 128, 0.1f);
        pair.Reference.UpdateRunningStatistics(runningMean.Reference, runningVariance.Reference,
            batchMean.Reference, batchVariance.Reference, 128, 0.1f);

        Tolerance.Close(runningMean.ReferenceValues, runningMean.CpuValues);
        Tolerance.Close(runningVariance.ReferenceValues, runningVariance.CpuValues);
    }
}
