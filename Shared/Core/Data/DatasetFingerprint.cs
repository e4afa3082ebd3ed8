using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DistTrainer.Core.Data;

/// <summary>
/// Enough of a dataset to tell that two nodes read the same one: its name, shape and a hash of every
/// feature and label. It travels in the cluster's job description, so it holds only primitives.
/// </summary>
public sealed record DatasetFingerprint(string Name, int Count, int FeatureCount, ulong Checksum)
{
    public static DatasetFingerprint Of(Dataset data)
    {
        var hash = new XxHash3();
        hash.Append(MemoryMarshal.AsBytes(data.Features.AsSpan()));
        hash.Append(MemoryMarshal.AsBytes(data.Labels.AsSpan()));
        return new DatasetFingerprint(data.Name, data.Count, data.FeatureCount, hash.GetCurrentHashAsUInt64());
    }
}
