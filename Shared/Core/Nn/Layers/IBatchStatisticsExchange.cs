namespace DistTrainer.Core.Nn.Layers;

/// <summary>
/// Synchronised batch norm: lets a batch-norm layer that sees one shard of a global batch normalise
/// with the statistics of the whole batch. Both calls block until every shard of the step has
/// contributed (the implementation owns the timeout and throws when it passes), and both overwrite
/// their spans in place with the result for the global batch.
/// </summary>
public interface IBatchStatisticsExchange
{
    /// <summary>
    /// In: this shard's row count and per-feature mean and biased variance for batch-norm layer
    /// number <paramref name="layer"/> (0 = the model's first batch-norm layer). Out: those of the
    /// global batch. Returns the global batch's row count.
    /// </summary>
    int ReduceMoments(int layer, int rows, Span<float> mean, Span<float> variance);

    /// <summary>In: this shard's per-feature sums of dy * xHat and of dy. Out: the global batch's sums.</summary>
    void ReduceGradientSums(int layer, Span<float> gammaGradient, Span<float> betaGradient);
}
