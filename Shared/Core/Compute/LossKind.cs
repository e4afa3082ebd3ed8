namespace DistTrainer.Core.Compute;

/// <summary>
/// Loss functions as PyTorch defines them. Targets travel as floats: class indices for
/// CrossEntropy (one per row), values of the output's shape for the others.
/// </summary>
public enum LossKind
{
    /// <summary>log-sum-exp(x) - x[label], on logits; reported as the mean over rows.</summary>
    CrossEntropy,
    /// <summary>max(x,0) - x*t + log(1 + exp(-|x|)); mean over all elements.</summary>
    BceWithLogits,
    /// <summary>-(t*log p + (1-t)*log(1-p)) with each log clamped at -100, as PyTorch; mean over all elements.</summary>
    Bce,
    /// <summary>(x - t)^2; mean over all elements.</summary>
    Mse,
    /// <summary>|x - t|, gradient sign(x - t) with sign(0) = 0; mean over all elements.</summary>
    Mae,
}
