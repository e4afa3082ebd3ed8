using System.Collections;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// The steps a run applied, in the order it applied them, kept as runs of consecutive steps: a run without faults is one
/// run however long, and each fault that leaves a gap or a repeat adds one. So the exactly-once check (every step from the
/// first to the last, none twice) costs memory by the faults, not by the run's length (a list of a million steps was
/// 8 MB, twice that while it grew). Read as a list it is every step applied, repeats included.
/// </summary>
public sealed class AppliedStepLog : IReadOnlyList<long>
{
    private readonly List<(long First, long Length)> _runs = [];

    public AppliedStepLog()
    {
    }

    public AppliedStepLog(IEnumerable<long> steps)
    {
        foreach (long step in steps) Add(step);
    }

    public int Count { get; private set; }

    /// <summary>Runs of consecutive steps the log holds: its memory.</summary>
    public int Runs => _runs.Count;

    public void Add(long step) => AddRun((step, 1));

    /// <summary>This log, then <paramref name="later"/>'s steps: a run trained on by a fresh node.</summary>
    public AppliedStepLog Then(IEnumerable<long> later)
    {
        var both = new AppliedStepLog();
        foreach (var run in _runs) both.AddRun(run);
        if (later is AppliedStepLog log)
            foreach (var run in log._runs) both.AddRun(run);
        else
            foreach (long step in later) both.Add(step);
        return both;
    }

    /// <summary>Steps applied at least once: <see cref="Count"/> when none was applied twice.</summary>
    public long Distinct()
    {
        long distinct = 0, coveredTo = long.MinValue;
        foreach (var (first, length) in _runs.OrderBy(r => r.First))
        {
            long end = first + length;
            if (end > coveredTo) distinct += end - Math.Max(first, coveredTo);
            coveredTo = Math.Max(coveredTo, end);
        }
        return distinct;
    }

    public long? Min => _runs.Count == 0 ? null : _runs.Min(r => r.First);

    public long? Max => _runs.Count == 0 ? null : _runs.Max(r => r.First + r.Length - 1);

    public long this[int index]
    {
        get
        {
            if (index >= 0)
                foreach (var (first, length) in _runs)
                {
                    if (index < length) return first + index;
                    index -= (int)length;
                }
            throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    public IEnumerator<long> GetEnumerator()
    {
        foreach (var (first, length) in _runs)
            for (long i = 0; i < length; i++)
                yield return first + i;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void AddRun((long First, long Length) run)
    {
        if (_runs.Count > 0 && _runs[^1] is var (first, length) && first + length == run.First)
            _runs[^1] = (first, length + run.Length);
        else
            _runs.Add(run);
        Count += (int)run.Length;
    }
}
