using DistTrainer.Core.Nn;

namespace DistTrainer.Nn;

/// <summary>A model's tensors read out by name, written back by name, or copied to a model of the same layers.</summary>
internal static class ModelState
{
    private const string Tracked = "num_batches_tracked";

    public static OrderedDictionary<string, Tensor> Read(Core.Nn.Sequential model)
    {
        var (parameters, buffers) = Download(model);
        var entries = new List<(int Layer, string Name, Tensor Tensor)>();
        foreach (var p in model.ParameterLayout) entries.Add((LayerOf(p.Name), p.Name, Slice(parameters, p)));
        foreach (var b in model.BufferLayout) entries.Add((LayerOf(b.Name), b.Name, Slice(buffers, b)));
        foreach (var (index, layer) in model.BatchNormLayers)
            entries.Add((index, $"{index}.{Tracked}", new Tensor([layer.BatchesTracked])));
        var state = new OrderedDictionary<string, Tensor>();
        foreach (var (_, name, tensor) in entries.OrderBy(e => e.Layer)) state.Add(name, tensor);
        return state;
    }

    public static void Write(Core.Nn.Sequential model, IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var parameters = new float[model.ParameterCount];
        var buffers = new float[model.BufferCount];
        var known = new HashSet<string>();
        foreach (var p in model.ParameterLayout) CopyInto(state, p, parameters, known);
        foreach (var b in model.BufferLayout) CopyInto(state, b, buffers, known);
        foreach (var (index, layer) in model.BatchNormLayers)
        {
            string name = $"{index}.{Tracked}";
            if (!state.TryGetValue(name, out var tracked)) continue;
            known.Add(name);
            layer.BatchesTracked = (long)tracked.ToArray()[0];
        }
        if (state.Keys.FirstOrDefault(k => !known.Contains(k)) is { } foreign)
            throw new ArgumentException($"state dict: tensor '{foreign}' does not belong to the model ({model.Describe()})", nameof(state));
        model.Backend.Upload(parameters, model.Parameters);
        model.Backend.Upload(buffers, model.Buffers);
    }

    /// <summary>Copies the weights, running statistics and batch counts of <paramref name="from"/> into <paramref name="to"/>, which has the same layers.</summary>
    public static void Copy(Core.Nn.Sequential from, Core.Nn.Sequential to)
    {
        if (from.Describe() != to.Describe())
            throw new ArgumentException($"model {to.Describe()} cannot take the weights of {from.Describe()}", nameof(to));
        var (parameters, buffers) = Download(from);
        to.Backend.Upload(parameters, to.Parameters);
        to.Backend.Upload(buffers, to.Buffers);
        for (int i = 0; i < from.BatchNormLayers.Count; i++)
            to.BatchNormLayers[i].Layer.BatchesTracked = from.BatchNormLayers[i].Layer.BatchesTracked;
    }

    private static (float[] Parameters, float[] Buffers) Download(Core.Nn.Sequential model)
    {
        var parameters = new float[model.ParameterCount];
        var buffers = new float[model.BufferCount];
        model.Backend.Download(model.Parameters, parameters);
        model.Backend.Download(model.Buffers, buffers);
        return (parameters, buffers);
    }

    private static Tensor Slice(float[] values, TensorPlacement placement) =>
        new(values.AsSpan(placement.Offset, placement.Length).ToArray(), placement.Shape);

    private static int LayerOf(string name) => int.Parse(name.AsSpan(0, name.IndexOf('.')), System.Globalization.CultureInfo.InvariantCulture);

    private static void CopyInto(IReadOnlyDictionary<string, Tensor> state, TensorPlacement placement, Span<float> destination, HashSet<string> known)
    {
        if (!state.TryGetValue(placement.Name, out var tensor))
            throw new ArgumentException($"state dict: tensor '{placement.Name}' is missing", nameof(state));
        if (!tensor.Shape.SequenceEqual(placement.Shape))
            throw new ArgumentException(
                $"state dict: tensor '{placement.Name}' has shape [{string.Join(", ", tensor.Shape)}] but the model needs [{string.Join(", ", placement.Shape)}]",
                nameof(state));
        tensor.CopyTo(destination.Slice(placement.Offset, placement.Length));
        known.Add(placement.Name);
    }
}
