using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Data;

/// <summary>
/// Enough of a dataset to tell that two nodes read the same one: its name, shape and a hash of every
/// feature and label. It travels in the cluster's job description, so it holds only primitives.
/// </summary>
public sealed record DatasetFingerprint(string Name, int Count, int FeatureCount, ulong Checksum)
{
    /// <summary>About 64 KiB of floats per hashed chunk.</summary>
    private const int ChunkFloats = 16 * 1024;

    /// <summary>
    /// Hashes the float values of the features, row after row, then the labels: the same checksum whether
    /// the set stores floats or pixel bytes. The rows go through the hash a chunk at a time (a streaming
    /// hash of the pieces is the hash of the whole), so no float copy of the whole set is made.
    /// </summary>
    public static DatasetFingerprint Of(Dataset data)
    {
        var hash = new XxHash3();
        int rowsPerChunk = Math.Max(1, ChunkFloats / data.FeatureCount);
        var chunk = new float[rowsPerChunk * data.FeatureCount];
        for (int first = 0; first < data.Count; first += rowsPerChunk)
        {
            Span<float> rows = chunk.AsSpan(0, Math.Min(rowsPerChunk, data.Count - first) * data.FeatureCount);
            data.CopyRows(first, rows);
            hash.Append(MemoryMarshal.AsBytes(rows));
        }

        hash.Append(MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        return new DatasetFingerprint(data.Name, data.Count, data.FeatureCount, hash.GetCurrentHashAsUInt64());
    }
}
