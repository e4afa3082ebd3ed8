using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Losses;

namespace DistTrainer.Nn;

/// <summary>
/// The engine's losses, with PyTorch's mean reduction (cross-entropy over rows, the others over every element),
/// computed on the model's backend. Each computes dLoss/dOutput as well, which <see cref="LossValue.Backward"/>
/// then carries through the model. A target is either values of the output's shape or, for every loss, one class
/// label a row (the form <see cref="Data.DataLoader"/> gives), which is encoded as the CLI encodes it: the index itself
/// for cross-entropy, a one-hot row for the others.
/// </summary>
public static class Loss
{
    /// <summary>nn.CrossEntropyLoss on logits: log-sum-exp(x) - x[label], averaged over rows.</summary>
    public static LossValue CrossEntropy(Tensor output, Tensor target) => Compute(LossKind.CrossEntropy, output, target);

    /// <summary>nn.MSELoss: (x - t)^2, averaged over every element.</summary>
    public static LossValue Mse(Tensor output, Tensor target) => Compute(LossKind.Mse, output, target);

    /// <summary>nn.L1Loss: |x - t|, averaged over every element.</summary>
    public static LossValue L1(Tensor output, Tensor target) => Compute(LossKind.Mae, output, target);

    /// <summary>nn.BCELoss on probabilities, each log clamped at -100 as PyTorch; averaged over every element.</summary>
    public static LossValue Bce(Tensor output, Tensor target) => Compute(LossKind.Bce, output, target);

    /// <summary>nn.BCEWithLogitsLoss: binary cross-entropy of sigmoid(x), computed stably; averaged over every element.</summary>
    public static LossValue BceWithLogits(Tensor output, Tensor target) => Compute(LossKind.BceWithLogits, output, target);

    private static LossValue Compute(LossKind kind, Tensor output, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        var model = output.Producer ?? throw new ArgumentException("a loss takes a model's output (Sequential.Forward)", nameof(output));
        var loss = new LossFunction(kind);
        var core = model.Core;
        int rows = output.Rows;
        var targets = model.Targets.Upload(loss, target, rows);
        // The CLI's step scales the gradient by the same 1 / normalizer, so both give the same bits.
        int normalizer = loss.Normalizer(rows, core.OutputWidth);
        double sum = core.Backend.Loss(kind, output.Device!.Value, targets, rows, core.OutputWidth, 1f / normalizer, core.OutputGradient(rows));
        return new LossValue(output, sum / normalizer, rows);
    }
}
