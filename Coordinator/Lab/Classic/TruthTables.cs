using DistTrainer.Core.Data;

namespace DistTrainer.Coordinator.Lab.Classic;

/// <summary>Boolean functions of two inputs on the four corners of the unit square, as two-class datasets.</summary>
public static class TruthTables
{
    private static readonly float[] Corners = [0, 0, 0, 1, 1, 0, 1, 1];

    public static Dataset And { get; } = new("and", featureCount: 2, Corners, [0, 0, 0, 1], classCount: 2);

    public static Dataset Or { get; } = new("or", featureCount: 2, Corners, [0, 1, 1, 1], classCount: 2);

    /// <summary>The trainer's built-in xor dataset, so that the perceptron and the network see the same points.</summary>
    public static Dataset Xor { get; } = DatasetLoader.Load(DatasetLoader.Xor, null).Train;
}
