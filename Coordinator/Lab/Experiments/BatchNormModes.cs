using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Runs rows through a trained model with batch norm in either mode: training mode normalises each batch
/// with its own mean and variance, evaluation mode with the running statistics gathered during training.
/// A training-mode pass also folds its batch into the running statistics; the probe puts them back, so
/// that looking does not change the model.
/// </summary>
public sealed class BatchNormModes(Sequential model)
{
    /// <summary>
    /// The model's outputs for <paramref name="indices"/> (row by row, OutputWidth each), forwarded in
    /// consecutive batches of <paramref name="batchSize"/> rows.
    /// </summary>
    public float[] Outputs(Dataset data, IReadOnlyList<int> indices, int batchSize, bool training)
    {
        var backend = model.Backend;
        var outputs = new float[indices.Count * model.OutputWidth];
        var features = new float[batchSize * model.InputWidth];
        var statistics = new float[model.BufferCount];
        var tracked = model.BatchNormLayers.Select(b => b.Layer.BatchesTracked).ToArray();
        backend.Download(model.Buffers, statistics);
        try
        {
            var context = training ? new StepContext(Training: true, Step: 0, Seed: 0, RowOffset: 0) : StepContext.Inference;
            for (int start = 0; start < indices.Count; start += batchSize)
            {
                int rows = Math.Min(batchSize, indices.Count - start);
                var batch = indices.Skip(start).Take(rows).ToArray();
                data.GatherFeatures(batch, features.AsSpan(0, rows * model.InputWidth));
                backend.Upload(features.AsSpan(0, rows * model.InputWidth), model.Input(rows));
                backend.Download(model.Forward(context, rows), outputs.AsSpan(start * model.OutputWidth, rows * model.OutputWidth));
            }
        }
        finally
        {
            backend.Upload(statistics, model.Buffers);
            for (int i = 0; i < tracked.Length; i++) model.BatchNormLayers[i].Layer.BatchesTracked = tracked[i];
        }
        return outputs;
    }
}
