namespace DistTrainer.Core.Data;

/// <summary>What a dataset's class labels stand for, for reports: Fashion-MNIST's garments, the numbers otherwise.</summary>
public static class ClassNames
{
    /// <summary>Fashion-MNIST's labels 0 to 9, as its authors name them.</summary>
    public static readonly IReadOnlyList<string> FashionMnist =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The names of classes 0 to <paramref name="classCount"/> - 1 of the dataset called <paramref name="datasetName"/>.</summary>
    public static IReadOnlyList<string> For(string datasetName, int classCount) =>
        datasetName == DatasetLoader.FashionMnist && classCount == FashionMnist.Count
            ? FashionMnist
            : Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}
