using DistTrainer.Core.Nn;

namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// What a worker sends back for one shard, as one float vector: the gradient of every parameter
/// (the model's flat layout), then for each batch-norm layer in model order the shard's per-feature
/// batch mean and biased variance.
/// </summary>
public sealed class ShardPayloadLayout
{
    private readonly int[] _batchNormOffsets;

    public ShardPayloadLayout(int parameterCount, IReadOnlyList<int> batchNormWidths)
    {
        ParameterCount = parameterCount;
        BatchNormWidths = batchNormWidths.ToArray();
        _batchNormOffsets = new int[BatchNormWidths.Count];
        int offset = parameterCount;
        for (int i = 0; i < _batchNormOffsets.Length; i++)
        {
            _batchNormOffsets[i] = offset;
            offset += 2 * BatchNormWidths[i];
        }
        Length = offset;
    }

    public static ShardPayloadLayout Of(Sequential model) =>
        new(model.ParameterCount, model.BatchNormLayers.Select(b => b.Layer.InputWidth).ToArray());

    public int ParameterCount { get; }
    public IReadOnlyList<int> BatchNormWidths { get; }
    public int Length { get; }

    public Span<float> Gradients(float[] payload) => payload.AsSpan(0, ParameterCount);

    public Span<float> Mean(float[] payload, int batchNorm) =>
        payload.AsSpan(_batchNormOffsets[batchNorm], BatchNormWidths[batchNorm]);

    public Span<float> Variance(float[] payload, int batchNorm) =>
        payload.AsSpan(_batchNormOffsets[batchNorm] + BatchNormWidths[batchNorm], BatchNormWidths[batchNorm]);
}
