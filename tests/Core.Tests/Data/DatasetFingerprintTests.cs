using System.IO.Hashing;
using System.Runtime.InteropServices;
using DistTrainer.Core.Data;
using Xunit;

namespace DistTrainer.Core.Tests.Data;

public sealed class DatasetFingerprintTests
{
    // 3000 rows of 30 features: 90,000 floats, several of the fingerprint's chunks.
    private const int Rows = 3000;
    private const int Features = 30;

    private static readonly byte[] Bytes = DatasetRows.RandomBytes(Rows * Features, seed: 3);
    private static readonly int[] Labels = Enumerable.Range(0, Rows).Select(i => i % 10).ToArray();

    [Fact]
    public void Is_the_same_for_pixel_bytes_and_the_floats_they_stand_for()
    {
        var pixels = DatasetFingerprint.Of(Dataset.FromPixels("d", Features, Bytes, Labels, 10));
        var floats = DatasetFingerprint.Of(new Dataset("d", Features, DatasetRows.Scaled(Bytes), Labels, 10));

        Assert.Equal(floats, pixels);
    }

    [Fact]
    public void Is_the_hash_of_all_feature_floats_then_all_labels_however_many_chunks_it_takes()
    {
        float[] features = DatasetRows.Scaled(Bytes);
        byte[] whole = [.. MemoryMarshal.AsBytes(features.AsSpan()), .. MemoryMarshal.AsBytes(Labels.AsSpan())];

        var fingerprint = DatasetFingerprint.Of(new Dataset("d", Features, features, Labels, 10));

        Assert.Equal(XxHash3.HashToUInt64(whole), fingerprint.Checksum);
        Assert.Equal(("d", Rows, Features), (fingerprint.Name, fingerprint.Count, fingerprint.FeatureCount));
    }

    [Fact]
    public void Changes_when_one_pixel_changes()
    {
        byte[] changed = [.. Bytes];
        changed[^1] ^= 1;

        var original = DatasetFingerprint.Of(Dataset.FromPixels("d", Features, Bytes, Labels, 10));
        var other = DatasetFingerprint.Of(Dataset.FromPixels("d", Features, changed, Labels, 10));

        Assert.NotEqual(original.Checksum, other.Checksum);
    }
}
