using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class BatchSamplerTests
{
    [Theory]
    // Reference values computed independently from the documented algorithm, so a change of
    // generator, seeding or shuffle breaks reproducibility loudly.
    [InlineData(42UL, 0, new[] { 0, 3, 5, 7, 9, 8, 2, 1, 4, 6 })]
    [InlineData(42UL, 1, new[] { 6, 5, 1, 4, 7, 3, 2, 9, 8, 0 })]
    [InlineData(7UL, 3, new[] { 12, 10, 2, 7, 6, 1, 5, 8, 0, 9, 4, 11, 3 })]
    public void PermutationIsFixedBySeedAndEpoch(ulong seed, int epoch, int[] expected)
    {
        var permutation = new int[expected.Length];

        BatchSampler.FillPermutation(seed, epoch, permutation);

        Assert.Equal(expected, permutation);
    }

    [Fact]
    public void Without_shuffle_batches_take_the_file_order_and_the_last_is_short()
    {
        var sampler = new BatchSampler(count: 7, batchSize: 3, shuffle: false, seed: 1);

        Assert.Equal(3, sampler.BatchesPerEpoch);
        Assert.Equal([0, 1, 2], sampler.Batch(0, 0).ToArray());
        Assert.Equal([3, 4, 5], sampler.Batch(5, 1).ToArray());
        Assert.Equal([6], sampler.Batch(5, 2).ToArray());
    }

    [Fact]
    public void Shuffled_batches_split_the_permutation_of_the_epoch()
    {
        var sampler = new BatchSampler(count: 10, batchSize: 4, shuffle: true, seed: 42);

        int[] epoch1 = [.. sampler.Batch(1, 0), .. sampler.Batch(1, 1), .. sampler.Batch(1, 2)];
        int[] epoch0 = [.. sampler.Batch(0, 0), .. sampler.Batch(0, 1), .. sampler.Batch(0, 2)];

        Assert.Equal([6, 5, 1, 4, 7, 3, 2, 9, 8, 0], epoch1);
        Assert.Equal([0, 3, 5, 7, 9, 8, 2, 1, 4, 6], epoch0);
        Assert.Equal(2, sampler.Batch(0, 2).Length);
    }

    [Fact]
    public void Every_epoch_visits_every_sample_once_in_its_own_order()
    {
        var sampler = new BatchSampler(count: 1000, batchSize: 64, shuffle: true, seed: 99);

        int[] Epoch(int epoch) =>
            [.. Enumerable.Range(0, sampler.BatchesPerEpoch).SelectMany(b => sampler.Batch(epoch, b).ToArray())];

        int[] first = Epoch(0);
        int[] second = Epoch(1);

        Assert.Equal(Enumerable.Range(0, 1000), first.Order());
        Assert.Equal(Enumerable.Range(0, 1000), second.Order());
        Assert.NotEqual(first, second);
        Assert.Equal(first, Epoch(0));
    }

    [Fact]
    public void Same_seed_gives_the_same_batches_in_another_sampler()
    {
        var a = new BatchSampler(500, 32, shuffle: true, seed: 5);
        var b = new BatchSampler(500, 32, shuffle: true, seed: 5);
        var other = new BatchSampler(500, 32, shuffle: true, seed: 6);

        Assert.Equal(a.Batch(3, 7).ToArray(), b.Batch(3, 7).ToArray());
        Assert.NotEqual(a.Batch(3, 7).ToArray(), other.Batch(3, 7).ToArray());
    }

    [Fact]
    public void Batches_of_the_current_epoch_allocate_nothing()
    {
        var sampler = new BatchSampler(10000, 100, shuffle: true, seed: 3);
        sampler.Batch(0, 0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int b = 0; b < sampler.BatchesPerEpoch; b++)
        {
            sum += sampler.Batch(0, b)[0];
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        // The reads are used, so that none of them is left out.
        GC.KeepAlive(sum);
    }

    [Fact]
    public void Rejects_batch_indices_outside_the_epoch()
    {
        var sampler = new BatchSampler(10, 5, shuffle: false, seed: 0);

        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Batch(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Batch(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Batch(-1, 0));
    }
}
