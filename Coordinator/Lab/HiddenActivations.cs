using DistTrainer.Coordinator.Cli;
using DistTrainer.Shared.Nn;
using DistTrainer.Shared.Nn.Layers;

namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// What each activation layer of a run's model outputs on the first rows of its training data, with the
/// weights the model holds now (before training: the initial ones). A model only keeps its final output,
/// so each hidden layer is read as the output of the model cut after it: the same layers, the first
/// part of the same parameter vector.
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
        rows = Math.Min(rows, run.Train.Count);
        var parameters = new float[model.ParameterCount];
        var buffers = new float[model.BufferCount];
        backend.Download(model.Parameters, parameters);
        backend.Download(model.Buffers, buffers);
        var features = new float[rows * model.InputWidth];
        run.Train.GatherFeatures(Enumerable.Range(0, rows).ToArray(), features);

        var activations = new List<float[]>();
        for (int i = 0; i < model.Layers.Count; i++)
        {
            if (model.Layers[i] is not ActivationLayer) continue;
            var spec = ModelSpec.Parse(string.Join(',', model.Layers.Take(i + 1).Select(l => l.Describe())));
            using var prefix = new Sequential(spec, backend, rows);
            backend.Upload(parameters.AsSpan(0, prefix.ParameterCount), prefix.Parameters);
            backend.Upload(buffers.AsSpan(0, prefix.BufferCount), prefix.Buffers);
            backend.Upload(features, prefix.Input(rows));
            var output = new float[rows * prefix.OutputWidth];
            backend.Download(prefix.Forward(StepContext.Inference, rows), output);
            activations.Add(output);
        }
        return activations;
    }
}
