namespace DistTrainer.Cluster.DataPlane.Fuzzing;

/// <summary>What a fuzz run found: how much it tried, what the parsers took and refused, and anything they must never do.</summary>
public sealed class FuzzReport
{
    private const int FindingsKept = 20;

    private readonly SortedDictionary<string, long> _rejections = new(StringComparer.Ordinal);
    private readonly List<string> _findings = [];

    public long Inputs { get; internal set; }

    /// <summary>Frames the frame reader returned as valid.</summary>
    public long FramesAccepted { get; internal set; }

    /// <summary>Inputs the Hello reader took as a valid Hello.</summary>
    public long HellosAccepted { get; internal set; }

    /// <summary>Refusals by the protocol's own exceptions, counted by reason.</summary>
    public IReadOnlyDictionary<string, long> Rejections => _rejections;

    /// <summary>Any other exception, or a frame that allocated more than the limit: each one a defect (the first few kept).</summary>
    public IReadOnlyList<string> Findings => _findings;

    public long FindingCount { get; private set; }

    /// <summary>The most payload bytes one frame read allocated.</summary>
    public long LargestAllocation { get; internal set; }

    /// <summary>The most managed heap seen, sampled during the run.</summary>
    public long PeakManagedBytes { get; internal set; }

    public TimeSpan Elapsed { get; internal set; }

    internal void Reject(string reason) => _rejections[reason] = _rejections.GetValueOrDefault(reason) + 1;

    internal void Find(string finding)
    {
        FindingCount++;
        if (_findings.Count < FindingsKept) _findings.Add(finding);
    }
}
