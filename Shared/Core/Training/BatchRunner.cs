using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Nn.Losses;

namespace DistTrainer.Core.Training;

/// <summary>
/// Moves rows of a dataset through a model: gathers them into host staging buffers (allocated
/// once for the model's largest batch), uploads them, runs forward (and backward when training)
/// and reads back what the caller needs. The same code serves a single process and a worker's shard.
/// </summary>
public sealed class BatchRunner : IDisposable
{
    private readonly float[] _features;
    private readonly float[] _targets;
    private readonly int[] _labels;
    private readonly float[] _outputs;
    private readonly Compute.DeviceArray _targetBuffer;

    public BatchRunner(Sequential model, LossFunction loss)
    {
        Model = model;
        Loss = loss;
        int rows = model.MaxRows;
        _features = new float[rows * model.InputWidth];
        _targets = new float[rows * loss.TargetWidth(model.OutputWidth)];
        _labels = new int[rows];
        _outputs = new float[rows * model.OutputWidth];
        _targetBuffer = model.Backend.Allocate(_targets.Length);
    }

    public Sequential Model { get; }
    public LossFunction Loss { get; }

    /// <summary>
    /// Forward and backward over the given rows in training mode. The model's gradient vector then
    /// holds d(sum of losses)/d(parameters) divided by <paramref name="normalizer"/>: pass the
    /// loss's normalizer of the whole global batch, so that shards of it add up to the batch's mean.
    /// <paramref name="layerDone"/> hears each layer as backward finishes it (<see cref="Sequential.Backward"/>).
    /// </summary>
    public BatchOutcome ComputeGradients(Dataset data, ReadOnlySpan<int> indices, in StepContext context, int normalizer,
        Action<int>? layerDone = null)
    {
        int rows = Stage(data, indices);
        var output = Model.Forward(context, rows);
        double lossSum = Model.Backend.Loss(Loss.Kind, output, TargetSlice(rows), rows, Model.OutputWidth,
            1f / normalizer, Model.OutputGradient(rows));
        int correct = CountCorrect(rows);
        Model.Backward(rows, layerDone);
        return new BatchOutcome(lossSum, correct, rows);
    }

    /// <summary>The summed loss and correct count of a whole dataset in inference mode, in batches of the model's size.</summary>
    public BatchOutcome Evaluate(Dataset data) => EvaluateAll(data, Span<int>.Empty);

    /// <summary>
    /// <see cref="Evaluate"/>, also writing each sample's predicted class (as <see cref="LossFunction.Predict"/>
    /// decides it) into <paramref name="predicted"/>, one entry per sample of <paramref name="data"/>.
    /// </summary>
    public BatchOutcome Classify(Dataset data, Span<int> predicted)
    {
        if (predicted.Length != data.Count)
            throw new ArgumentException($"{predicted.Length} predictions for {data.Count} samples", nameof(predicted));
        return EvaluateAll(data, predicted);
    }

    /// <summary>Evaluates every sample; with a non-empty <paramref name="predicted"/>, also writes each one's class there.</summary>
    private BatchOutcome EvaluateAll(Dataset data, Span<int> predicted)
    {
        var total = default(BatchOutcome);
        var indices = new int[Math.Min(Model.MaxRows, data.Count)];
        int width = Model.OutputWidth;
        for (int start = 0; start < data.Count; start += indices.Length)
        {
            int rows = Math.Min(indices.Length, data.Count - start);
            for (int i = 0; i < rows; i++) indices[i] = start + i;
            total += EvaluateRows(data, indices.AsSpan(0, rows));
            if (predicted.IsEmpty) continue;
            // EvaluateRows left the batch's outputs on the host to count the correct rows.
            for (int r = 0; r < rows; r++)
                predicted[start + r] = Loss.Predict(_outputs.AsSpan(r * width, width));
        }
        return total;
    }

    /// <summary>Inference on the given rows: their summed loss and correct count.</summary>
    public BatchOutcome EvaluateRows(Dataset data, ReadOnlySpan<int> indices)
    {
        int rows = Stage(data, indices);
        var output = Model.Forward(StepContext.Inference, rows);
        double lossSum = Model.Backend.Loss(Loss.Kind, output, TargetSlice(rows), rows, Model.OutputWidth,
            0f, Model.OutputGradient(rows));
        return new BatchOutcome(lossSum, CountCorrect(rows), rows);
    }

    private int Stage(Dataset data, ReadOnlySpan<int> indices)
    {
        int rows = indices.Length;
        if (rows > Model.MaxRows)
            throw new ArgumentOutOfRangeException(nameof(indices), $"{rows} rows; the model was built for {Model.MaxRows}");
        if (data.FeatureCount != Model.InputWidth)
            throw new InvalidInputException(
                $"dataset {data.Name}: {data.FeatureCount} features per sample but the model takes {Model.InputWidth}");
        var features = _features.AsSpan(0, rows * Model.InputWidth);
        data.GatherFeatures(indices, features);
        data.GatherLabels(indices, _labels.AsSpan(0, rows));
        Loss.EncodeTargets(_labels.AsSpan(0, rows), Model.OutputWidth, _targets);
        Model.Backend.Upload(features, Model.Input(rows));
        Model.Backend.Upload(_targets.AsSpan(0, rows * Loss.TargetWidth(Model.OutputWidth)), TargetSlice(rows));
        return rows;
    }

    private Compute.DeviceSlice TargetSlice(int rows) => _targetBuffer.Slice(0, rows * Loss.TargetWidth(Model.OutputWidth));

    private int CountCorrect(int rows)
    {
        var outputs = _outputs.AsSpan(0, rows * Model.OutputWidth);
        Model.Backend.Download(Model.Output(rows), outputs);
        return Loss.CountCorrect(outputs, _labels.AsSpan(0, rows), Model.OutputWidth);
    }

    public void Dispose() => _targetBuffer.Dispose();
}
