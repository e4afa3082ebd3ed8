namespace DistTrainer.Core.Nn;

/// <summary>A named tensor of a layer, as PyTorch's state_dict names it within the layer ("weight", "running_mean").</summary>
public sealed record TensorSpec(string Name, int[] Shape)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>A tensor placed in the model's flat vector: "0.weight" at offset 0, and so on.</summary>
public sealed record TensorPlacement(string Name, int[] Shape, int Offset, int Length);
