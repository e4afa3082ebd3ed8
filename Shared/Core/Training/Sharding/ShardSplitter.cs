namespace DistTrainer.Core.Training.Sharding;

/// <summary>
/// Cuts a global batch into one contiguous shard per worker, sized in proportion to each worker's
/// weight (its measured throughput, or 1 for equal shards). Largest-remainder rounding keeps the
/// total exact; every shard gets at least <c>minRows</c> rows (batch norm needs 2), taken from the
/// largest shards. The result depends only on its inputs, so equal weights give the same cut on every run.
/// </summary>
public static class ShardSplitter
{
    public static Shard[] Split(int batchRows, ReadOnlySpan<double> weights, int minRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minRows);
        if (weights.IsEmpty) throw new ArgumentException("no workers to split a batch across", nameof(weights));
        // Every weight is checked, also those of workers a small batch leaves idle: a bad one is a bug upstream.
        for (int i = 0; i < weights.Length; i++)
        {
            if (!(weights[i] > 0) || !double.IsFinite(weights[i]))
                throw new ArgumentException($"worker weight {i} is {weights[i]}; weights must be positive and finite", nameof(weights));
        }
        int shards = Math.Min(weights.Length, batchRows / minRows);
        if (shards == 0)
            throw new ArgumentException($"a batch of {batchRows} rows cannot give one shard of at least {minRows} rows");
        double total = 0;
        for (int i = 0; i < shards; i++) total += weights[i];

        var counts = new int[shards];
        var remainders = new double[shards];
        int assigned = 0;
        for (int i = 0; i < shards; i++)
        {
            double exact = batchRows * weights[i] / total;
            counts[i] = (int)Math.Floor(exact);
            remainders[i] = exact - counts[i];
            assigned += counts[i];
        }
        for (; assigned < batchRows; assigned++)
        {
            int best = ArgMax(remainders);
            counts[best]++;
            remainders[best] = -1;
        }
        for (int i = 0; i < shards; i++)
        {
            while (counts[i] < minRows)
            {
                counts[ArgMax(counts)]--;
                counts[i]++;
            }
        }

        var result = new Shard[shards];
        int start = 0;
        for (int i = 0; i < shards; i++)
        {
            result[i] = new Shard(i, start, counts[i]);
            start += counts[i];
        }
        return result;
    }

    private static int ArgMax<T>(T[] values) where T : IComparable<T>
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i].CompareTo(values[best]) > 0) best = i;
        return best;
    }
}
