using System.Collections;
using DistTrainer.Core.Data;

namespace DistTrainer.Data;

/// <summary>
/// torch.utils.data.DataLoader over a dataset: each enumeration is one epoch of batches of
/// <see cref="BatchSize"/> samples (the last one possibly short), drawn by the engine's seeded
/// <see cref="BatchSampler"/>, so a loader with the CLI's batch size, shuffle and seed visits the samples in the
/// order the CLI's run does. Each enumeration begins at <see cref="Epoch"/> and moves it on by one, so successive
/// epochs are shuffled differently, as torch's loader reshuffles; <see cref="SetEpoch"/> picks one.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly BatchSampler _sampler;

    /// <summary>Batches of <paramref name="dataset"/>; torch's defaults: one sample a batch, in file order.</summary>
    public DataLoader(Dataset dataset, int batchSize = 1, bool shuffle = false, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        _sampler = new BatchSampler(dataset.Count, batchSize, shuffle, seed);
    }

    /// <summary>The samples the loader draws from.</summary>
    public Dataset Dataset { get; }

    /// <summary>The most samples a batch has.</summary>
    public int BatchSize => _sampler.BatchSize;

    /// <summary>Whether each epoch visits the samples in a seeded permutation rather than in file order.</summary>
    public bool Shuffle => _sampler.Shuffle;

    /// <summary>The batches of one epoch (torch's len(loader)).</summary>
    public int Count => _sampler.BatchesPerEpoch;

    /// <summary>The epoch the next enumeration draws, from 0.</summary>
    public int Epoch { get; private set; }

    /// <summary>Makes the next enumeration draw epoch <paramref name="epoch"/> (as DistributedSampler.set_epoch).</summary>
    public void SetEpoch(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        Epoch = epoch;
    }

    /// <summary>The batches of epoch <see cref="Epoch"/>, which then moves on by one.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        int epoch = Epoch++;
        for (int batch = 0; batch < Count; batch++) yield return Draw(epoch, batch);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Batch <paramref name="batch"/> of epoch <paramref name="epoch"/>: its rows gathered as the CLI's step gathers them.</summary>
    public Batch Draw(int epoch, int batch)
    {
        var indices = _sampler.Batch(epoch, batch).ToArray();
        var features = new float[indices.Length * Dataset.FeatureCount];
        var labels = new int[indices.Length];
        Dataset.GatherFeatures(indices, features);
        Dataset.GatherLabels(indices, labels);
        var targets = new float[labels.Length];
        for (int r = 0; r < labels.Length; r++) targets[r] = labels[r];
        return new Batch(new Tensor(features, indices.Length, Dataset.FeatureCount), new Tensor(targets, labels.Length), indices);
    }
}
