using DistTrainer.Core.Data;

namespace DistTrainer.Data;

/// <summary>The datasets the CLI trains on, loaded by the engine's loader (IDX files, plain or gzipped; one copy a process).</summary>
public static class Datasets
{
    /// <summary>
    /// Fashion-MNIST from <paramref name="directory"/> (default: where Debian's dataset-fashion-mnist installs it),
    /// pixels scaled to [0, 1], cut to the first <paramref name="trainSamples"/> and <paramref name="testSamples"/>
    /// samples when given. The test set is null when the directory holds none. As the CLI's --data-dir and
    /// --train-samples / --test-samples.
    /// </summary>
    public static (Dataset Train, Dataset? Test) FashionMnist(string? directory = null, int? trainSamples = null, int? testSamples = null) =>
        DatasetLoader.Load(DatasetLoader.FashionMnist, directory, trainSamples, testSamples);

    /// <summary>The four corners of the unit square labelled by XOR; the test set is the training set.</summary>
    public static (Dataset Train, Dataset? Test) Xor() => DatasetLoader.Load(DatasetLoader.Xor, null, null, null);

    /// <summary>A dataset of float rows held in memory: <paramref name="features"/> is samples x featureCount, row-major, not copied.</summary>
    public static Dataset FromArrays(string name, float[] features, int[] labels, int featureCount, int classCount) =>
        new(name, featureCount, features, labels, classCount);
}
