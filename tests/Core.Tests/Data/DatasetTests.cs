using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class DatasetTests
{
    private static readonly Dataset ThreeSamples = new("three", featureCount: 2, [1, 2, 3, 4, 5, 6], [2, 0, 1], classCount: 3);

    [Fact]
    public void Gathers_rows_and_labels_in_the_order_of_the_indices()
    {
        var features = new float[6];
        var labels = new int[3];

        ThreeSamples.GatherFeatures([2, 0, 2], features);
        ThreeSamples.GatherLabels([2, 0, 2], labels);

        Assert.Equal([5f, 6f, 1f, 2f, 5f, 6f], features);
        Assert.Equal([1, 2, 1], labels);
    }

    [Fact]
    public void Row_is_the_features_of_one_sample()
    {
        Assert.Equal([3f, 4f], ThreeSamples.Row(1).ToArray());
    }

    [Fact]
    public void Gather_rejects_a_destination_of_the_wrong_size()
    {
        Assert.Throws<ArgumentException>(() => ThreeSamples.GatherFeatures([0, 1], new float[3]));
        Assert.Throws<ArgumentException>(() => ThreeSamples.GatherLabels([0, 1], new int[3]));
    }

    [Fact]
    public void Gather_rejects_indices_outside_the_dataset()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreeSamples.GatherFeatures([3], new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThreeSamples.GatherLabels([-1], new int[1]));
    }

    [Fact]
    public void Constructor_rejects_inconsistent_arrays()
    {
        Assert.Throws<ArgumentException>(() => new Dataset("bad", 2, [1, 2, 3], [0, 0], 1));
        Assert.Throws<ArgumentException>(() => new Dataset("bad", 1, [1, 2], [0, 2], 2));
    }
}
