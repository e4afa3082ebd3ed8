using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Nn.Layers;

namespace DistTrainer.Core.Training.Sharding;

/// <summary>The parameter server's batch-norm bookkeeping: a step's merged statistics folded into host running statistics, as BatchNorm1d folds them.</summary>
public static class RunningStatistics
{
    public static void Fold(Span<float> runningMean, Span<float> runningVariance, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        long count) =>
        CpuBatchNorm.UpdateRunningStatistics(runningMean, runningVariance, mean, variance, checked((int)count), BatchNormLayer.Momentum);
}
