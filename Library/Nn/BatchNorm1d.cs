namespace DistTrainer.Nn;

/// <summary>
/// nn.BatchNorm1d(numFeatures): normalises each feature with the batch's statistics in training (folding them into
/// running statistics, momentum 0.1) and with the running statistics in evaluation; eps 1e-5.
/// </summary>
public sealed class BatchNorm1d : Module
{
    /// <summary>Batch norm over <paramref name="numFeatures"/> features.</summary>
    public BatchNorm1d(int numFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        NumFeatures = numFeatures;
    }

    /// <summary>The number of features normalised.</summary>
    public int NumFeatures { get; }

    internal override string Entry => $"batchnorm:{NumFeatures}";
}
