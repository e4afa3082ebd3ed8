namespace DistTrainer.Nn;

/// <summary>
/// A loss of one batch: its value (<see cref="Item"/>) and, kept on the model's backend, its gradient with respect
/// to the output, which <see cref="Backward"/> carries back through the model that made the output.
/// </summary>
public sealed class LossValue
{
    private readonly Tensor _output;

    internal LossValue(Tensor output, double value, int rows)
    {
        _output = output;
        Value = value;
        Rows = rows;
    }

    /// <summary>The mean loss.</summary>
    public double Value { get; }

    /// <summary>The rows the loss was taken over.</summary>
    public int Rows { get; }

    /// <summary>The mean loss (torch's loss.item()).</summary>
    public double Item() => Value;

    /// <summary>
    /// Back-propagates the loss through the model, overwriting its gradients. The output must be the model's latest,
    /// from a forward pass in training mode.
    /// </summary>
    public void Backward()
    {
        var model = _output.Producer!;
        if (!model.LastForwardTrained)
            throw new InvalidOperationException("Backward needs an output of a forward pass in training mode (model.Train())");
        model.Core.Backward(Rows);
    }
}
