namespace DistTrainer.Core.Data;

/// <summary>
/// A labelled data set held in memory: <see cref="Count"/> samples of <see cref="FeatureCount"/>
/// features each, row-major in <see cref="Features"/>, and one class label per sample.
/// </summary>
public sealed class Dataset
{
    public Dataset(string name, int featureCount, float[] features, int[] labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        if (features.Length != (long)labels.Length * featureCount)
        {
            throw new ArgumentException(
                $"{features.Length} features do not make {labels.Length} samples of {featureCount} features", nameof(features));
        }

        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classCount)
            {
                throw new ArgumentException($"label {label} is outside [0, {classCount})", nameof(labels));
            }
        }

        Name = name;
        FeatureCount = featureCount;
        Features = features;
        Labels = labels;
        ClassCount = classCount;
    }

    public string Name { get; }

    public int Count => Labels.Length;

    public int FeatureCount { get; }

    /// <summary>Count x FeatureCount, row-major.</summary>
    public float[] Features { get; }

    public int[] Labels { get; }

    public int ClassCount { get; }

    /// <summary>
    /// The first <paramref name="count"/> samples (all of them when there are fewer), with the same
    /// class count: a smaller training set that every node of a cluster cuts the same way.
    /// </summary>
    public Dataset Head(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (count >= Count) return this;
        return new Dataset(Name, FeatureCount, Features[..(count * FeatureCount)], Labels[..count], ClassCount);
    }

    /// <summary>The features of one sample.</summary>
    public ReadOnlySpan<float> Row(int index)
    {
        CheckIndex(index);
        return Features.AsSpan(index * FeatureCount, FeatureCount);
    }

    /// <summary>Copies the feature rows of <paramref name="indices"/>, in that order, into <paramref name="destination"/>.</summary>
    public void GatherFeatures(ReadOnlySpan<int> indices, Span<float> destination)
    {
        if (destination.Length != (long)indices.Length * FeatureCount)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} floats, {indices.Length} rows need {(long)indices.Length * FeatureCount}",
                nameof(destination));
        }

        for (int k = 0; k < indices.Length; k++)
        {
            Row(indices[k]).CopyTo(destination.Slice(k * FeatureCount, FeatureCount));
        }
    }

    /// <summary>Copies the labels of <paramref name="indices"/>, in that order, into <paramref name="destination"/>.</summary>
    public void GatherLabels(ReadOnlySpan<int> indices, Span<int> destination)
    {
        if (destination.Length != indices.Length)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} labels, {indices.Length} indices need as many", nameof(destination));
        }

        for (int k = 0; k < indices.Length; k++)
        {
            CheckIndex(indices[k]);
            destination[k] = Labels[indices[k]];
        }
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"sample index outside [0, {Count}) of {Name}");
        }
    }
}
