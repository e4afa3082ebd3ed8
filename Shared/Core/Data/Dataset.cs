namespace DistTrainer.Core.Data;

/// <summary>
/// A labelled data set held in memory: <see cref="Count"/> samples of <see cref="FeatureCount"/>
/// features each, row-major, and one class label per sample. Small and synthetic sets keep float rows;
/// IDX images keep their pixel bytes (a quarter of the floats) and become floats, exactly
/// <c>b / 255f</c>, only when rows are gathered. A dataset is read-only once built: every load of the
/// same files in a process shares one (<see cref="DatasetCache"/>), and <see cref="Head"/> is a view.
/// </summary>
public sealed class Dataset
{
    private readonly ReadOnlyMemory<float> _floats;
    private readonly ReadOnlyMemory<byte> _pixels;
    private readonly bool _storesPixels;

    // A head keeps the set it was cut from alive, so the cache still hands that set (and its one copy
    // of the rows) to the next load while any head of it is in use.
    private readonly Dataset? _whole;

    /// <summary>A set of float rows: <paramref name="features"/> is Count x FeatureCount, row-major, and is not copied.</summary>
    public Dataset(string name, int featureCount, float[] features, int[] labels, int classCount)
        : this(name, featureCount, features, ReadOnlyMemory<byte>.Empty, storesPixels: false, labels, classCount, whole: null)
    {
        CheckShape(features.Length, labels.Length, featureCount);
    }

    private Dataset(string name, int featureCount, ReadOnlyMemory<float> floats, ReadOnlyMemory<byte> pixels, bool storesPixels,
        int[] labels, int classCount, Dataset? whole)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classCount)
            {
                throw new ArgumentException($"label {label} is outside [0, {classCount})", nameof(labels));
            }
        }

        Name = name;
        FeatureCount = featureCount;
        _floats = floats;
        _pixels = pixels;
        _storesPixels = storesPixels;
        Labels = labels;
        ClassCount = classCount;
        _whole = whole;
    }

    public string Name { get; }

    public int Count => Labels.Length;

    public int FeatureCount { get; }

    /// <summary>One class label per sample; read-only by contract, as the rows are.</summary>
    public int[] Labels { get; }

    public int ClassCount { get; }

    /// <summary>What the rows and labels occupy: one byte a feature for pixel sets, four for float sets, four a label.</summary>
    public long StorageBytes => _pixels.Length + 4L * _floats.Length + 4L * Labels.Length;

    /// <summary>The pixel bytes of a pixel set (empty for a float set): lets tests see that views share them.</summary>
    internal ReadOnlyMemory<byte> Pixels => _pixels;

    /// <summary>
    /// A set of pixel bytes, Count x FeatureCount row-major, not copied; feature i of a row is
    /// <c>pixels[i] / 255f</c>.
    /// </summary>
    public static Dataset FromPixels(string name, int featureCount, ReadOnlyMemory<byte> pixels, int[] labels, int classCount)
    {
        CheckShape(pixels.Length, labels.Length, featureCount);
        return new Dataset(name, featureCount, ReadOnlyMemory<float>.Empty, pixels, storesPixels: true, labels, classCount, whole: null);
    }

    /// <summary>
    /// The first <paramref name="count"/> samples (all of them when there are fewer), with the same
    /// class count: a smaller training set that every node of a cluster cuts the same way. The rows are
    /// a view of this set's; only the labels are copied.
    /// </summary>
    public Dataset Head(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (count >= Count) return this;
        int features = count * FeatureCount;
        var floats = _storesPixels ? _floats : _floats[..features];
        var pixels = _storesPixels ? _pixels[..features] : _pixels;
        return new Dataset(Name, FeatureCount, floats, pixels, _storesPixels, Labels[..count], ClassCount, _whole ?? this);
    }

    /// <summary>
    /// The features of one sample: a view of a float set's row, a new array for a pixel set. For
    /// occasional look-ups (plots, the lab); batches go through <see cref="GatherFeatures"/>, which allocates nothing.
    /// </summary>
    public ReadOnlySpan<float> Row(int index)
    {
        CheckIndex(index);
        if (!_storesPixels) return _floats.Span.Slice(index * FeatureCount, FeatureCount);
        var row = new float[FeatureCount];
        PixelScale.ToFloats(_pixels.Span.Slice(index * FeatureCount, FeatureCount), row);
        return row;
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
            CheckIndex(indices[k]);
            CopyRows(indices[k], destination.Slice(k * FeatureCount, FeatureCount));
        }
    }

    /// <summary>
    /// Copies the rows from <paramref name="first"/> on, as many as <paramref name="destination"/> holds
    /// (a whole number of rows), as floats.
    /// </summary>
    public void CopyRows(int first, Span<float> destination)
    {
        int rows = Math.DivRem(destination.Length, FeatureCount, out int partial);
        if (partial != 0 || first < 0 || rows > Count - first)
        {
            throw new ArgumentException(
                $"{destination.Length} floats from row {first} are not whole rows of {FeatureCount} features within the {Count} samples of {Name}",
                nameof(destination));
        }

        int start = first * FeatureCount;
        if (_storesPixels)
        {
            PixelScale.ToFloats(_pixels.Span.Slice(start, destination.Length), destination);
        }
        else
        {
            _floats.Span.Slice(start, destination.Length).CopyTo(destination);
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

    private static void CheckShape(int featureValues, int labels, int featureCount)
    {
        if (featureValues != (long)labels * featureCount)
        {
            throw new ArgumentException(
                $"{featureValues} features do not make {labels} samples of {featureCount} features", "features");
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
