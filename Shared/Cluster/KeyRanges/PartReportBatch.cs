namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// A range's part reports held for the step's master until telling it pays. The master needs every shard's part before
/// it can take any shard's result whole, so a report told alone buys nothing but a frame: reports go together once every
/// shard has its part here, at once when a part is not kept (dropped or malformed: the master acts on those alone), and
/// otherwise when the caller's linger runs out (a shard's part that is late or never comes holds the others that long at
/// most). It holds at most what the range's intake holds plus one report, so it is bounded as the intake is. What the
/// master decides does not depend on how reports are grouped, only how soon it hears them.
/// </summary>
public sealed class PartReportBatch
{
    private readonly List<PartIn> _held = [];

    /// <summary>Whether reports are held: the caller's linger runs while they are.</summary>
    public bool Holding => _held.Count > 0;

    /// <summary>
    /// Adds <paramref name="part"/>'s report; the reports to send now, or null while they wait for the other shards' parts
    /// (<paramref name="everyShardIn"/>: the range's intake holds a part of every shard of the step).
    /// </summary>
    public PartsIn? Add(PartIn part, bool everyShardIn)
    {
        _held.Add(part);
        return everyShardIn || part.Report.State != PieceState.Held ? Take() : null;
    }

    /// <summary>The held reports, which are then no longer held; null when none are.</summary>
    public PartsIn? Take()
    {
        if (_held.Count == 0) return null;
        var parts = new PartsIn([.. _held]);
        _held.Clear();
        return parts;
    }
}
