namespace DistTrainer.Core.Training.Sharding;

/// <summary>The two all-reduces of synchronised batch norm, per layer and step.</summary>
public enum StatisticsKind
{
    /// <summary>Forward: per-feature mean and biased variance, merged by row count.</summary>
    Moments,

    /// <summary>Backward: per-feature sums of dy * xHat and of dy, added.</summary>
    GradientSums,
}
