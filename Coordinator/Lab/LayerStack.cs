namespace DistTrainer.Coordinator.Lab;

/// <summary>The layer spec of a perceptron on the 28 x 28 images: hidden linear layers of one width, each followed by its activation.</summary>
public static class LayerStack
{
    /// <summary>An activation name that leaves its hidden layer linear.</summary>
    public const string None = "none";

    private const int Inputs = 784;
    private const int Classes = 10;

    /// <summary>One hidden layer per entry of <paramref name="activations"/> (sigmoid, relu, ... or <see cref="None"/>), then the output layer.</summary>
    public static string Spec(IReadOnlyList<string> activations, int width)
    {
        if (activations.Count == 0) throw new ArgumentException("a stack needs at least one hidden layer", nameof(activations));
        return string.Join(',', activations
            .SelectMany((activation, i) => new[] { $"linear:{(i == 0 ? Inputs : width)}:{width}", activation })
            .Where(entry => entry != None)
            .Append($"linear:{width}:{Classes}"));
    }
}
