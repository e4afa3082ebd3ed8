using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Nn.Layers;

namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// What each activation layer of a run's model outputs on the first rows of its training data, with the
/// weights the model holds now (before training: the initial ones), read from one inference-mode forward pass.
/// </summary>
public static class HiddenActivations
{
    /// <summary>
    /// One array per activation layer, in model order: <paramref name="rows"/> x its width, row-major,
    /// from an inference-mode forward pass.
    /// </summary>
    public static IReadOnlyList<float[]> Of(TrainingRun run, int rows)
    {
        var model = run.Model;
        var backend = run.Backend;
        rows = Math.Min(rows, Math.Min(run.Train.Count, model.MaxRows));
        var features = new float[rows * model.InputWidth];
        run.Train.GatherFeatures(Enumerable.Range(0, rows).ToArray(), features);
        backend.Upload(features, model.Input(rows));
        model.Forward(StepContext.Inference, rows);

        var activations = new List<float[]>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            if (model.Layers[i] is not ActivationLayer) continue;
            var output = new float[rows * model.Layers[i].OutputWidth];
            backend.Download(model.LayerOutput(i, rows), output);
            activations.Add(output);
        }
        return activations;
    }
}
