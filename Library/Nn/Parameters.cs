namespace DistTrainer.Nn;

/// <summary>A model's trainable values as an optimizer takes them (torch's model.parameters()): one flat vector in state_dict order.</summary>
public sealed class Parameters
{
    internal Parameters(Sequential model) => Model = model;

    internal Sequential Model { get; }

    /// <summary>The number of values.</summary>
    public int Count => Model.ParameterCount;

    /// <summary>The names of the tensors, in order: "0.weight", "0.bias", ...</summary>
    public IReadOnlyList<string> Names => [.. Model.Core.ParameterLayout.Select(p => p.Name)];
}
