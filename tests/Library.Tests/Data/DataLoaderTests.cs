using DistTrainer.Core.Data;
using DistTrainer.Data;
using Xunit;

namespace DistTrainer.Library.Tests.Data;

public sealed class DataLoaderTests
{
    private static Dataset Numbered(int count)
    {
        var features = new float[count * 2];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            features[2 * i] = i;
            features[2 * i + 1] = -i;
            labels[i] = i % 3;
        }
        return Datasets.FromArrays("numbered", features, labels, featureCount: 2, classCount: 3);
    }

    [Fact]
    public void Each_epoch_visits_the_samples_in_the_order_of_the_engine_s_batch_sampler()
    {
        var data = Numbered(23);
        var loader = new DataLoader(data, batchSize: 5, shuffle: true, seed: 9);
        var sampler = new BatchSampler(23, 5, shuffle: true, seed: 9);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            var batches = loader.ToList();
            Assert.Equal(5, batches.Count);
            for (int b = 0; b < batches.Count; b++)
                Assert.Equal(sampler.Batch(epoch, b).ToArray(), batches[b].Indices);
        }
        Assert.Equal(3, loader.Epoch);
    }

    [Fact]
    public void A_batch_holds_the_rows_and_labels_of_its_indices_and_the_last_one_is_short()
    {
        var loader = new DataLoader(Numbered(23), batchSize: 5, shuffle: true, seed: 9);

        var last = loader.Last();

        Assert.Equal([3, 2], last.X.Shape);
        Assert.Equal([3], last.Y.Shape);
        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(last.Indices[r], last.X[r, 0]);
            Assert.Equal(-last.Indices[r], last.X[r, 1]);
            Assert.Equal(last.Indices[r] % 3, last.Y.ToArray()[r]);
        }
    }

    [Fact]
    public void Without_shuffling_the_batches_follow_the_file_and_set_epoch_picks_the_permutation()
    {
        var plain = new DataLoader(Numbered(10), batchSize: 4);
        Assert.Equal([0, 1, 2, 3], plain.First().Indices);

        var shuffled = new DataLoader(Numbered(10), batchSize: 10, shuffle: true, seed: 2);
        var first = shuffled.Single().Indices;
        var second = shuffled.Single().Indices;
        shuffled.SetEpoch(0);
        Assert.Equal(first, shuffled.Single().Indices);
        Assert.NotEqual(first, second);
    }
}
