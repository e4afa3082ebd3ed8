using DistTrainer.Core.Randomness;

namespace DistTrainer.Core.Data;

/// <summary>
/// Splits each epoch of <see cref="Count"/> samples into batches of <see cref="BatchSize"/> indices,
/// the last one possibly short. With shuffling, epoch e visits the samples in a permutation that
/// depends only on (seed, e), so a run is reproducible and every node that knows the seed agrees on
/// it; without, batch i is the samples [i * BatchSize, (i + 1) * BatchSize) in file order.
/// Not thread-safe: the permutation of the last epoch asked for is kept and reused.
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _order;
    private int _orderedEpoch = -1;

    public BatchSampler(int count, int batchSize, bool shuffle, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Count = count;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        BatchesPerEpoch = (count - 1) / batchSize + 1;
        _order = new int[count];
        FillIdentity(_order);
    }

    public int Count { get; }

    public int BatchSize { get; }

    public bool Shuffle { get; }

    public ulong Seed { get; }

    public int BatchesPerEpoch { get; }

    /// <summary>
    /// The sample indices of one batch. The span stays valid until a batch of another epoch is asked
    /// for; within an epoch no call allocates.
    /// </summary>
    public ReadOnlySpan<int> Batch(int epoch, int batchIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, BatchesPerEpoch);
        if (Shuffle && epoch != _orderedEpoch)
        {
            FillPermutation(Seed, epoch, _order);
            _orderedEpoch = epoch;
        }

        int start = batchIndex * BatchSize;
        return _order.AsSpan(start, Math.Min(BatchSize, Count - start));
    }

    /// <summary>
    /// Writes the permutation of [0, destination.Length) for (seed, epoch): Fisher–Yates from the last
    /// position down, drawing from a SplitMix64 whose state is Mix(Mix(seed) + epoch).
    /// </summary>
    public static void FillPermutation(ulong seed, int epoch, Span<int> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        FillIdentity(destination);
        var random = new SplitMix64(SplitMix64.Mix(SplitMix64.Mix(seed) + (ulong)epoch));
        for (int i = destination.Length - 1; i > 0; i--)
        {
            int j = random.NextBelow(i + 1);
            (destination[i], destination[j]) = (destination[j], destination[i]);
        }
    }

    private static void FillIdentity(Span<int> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = i;
        }
    }
}
