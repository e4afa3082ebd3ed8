namespace DistTrainer.Core.Training;

/// <summary>
/// Per-step reports kept for curves, at most <see cref="Capacity"/> of them however long the run: every step while they
/// fit, then every second step, every fourth, and so on. When the list is full, the steps that are not multiples of twice
/// the stride are dropped and the stride doubles, so what is kept is always every stride-th step of the run (by step
/// number, so a resumed run or a gap keeps the same steps) and a run of a million steps holds as much as one of 65,536.
/// </summary>
public sealed class ThinnedSteps<T>(Func<T, long> stepOf, int capacity = ThinnedSteps.DefaultCapacity) : IReadOnlyList<T>
{
    private readonly List<T> _kept = new(Math.Min(capacity, 1024));

    public int Capacity { get; } = capacity >= 2 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "at least 2");

    /// <summary>Every how many steps one is kept now: 1 until the list first fills.</summary>
    public long Stride { get; private set; } = 1;

    public int Count => _kept.Count;

    public T this[int index] => _kept[index];

    public void Add(T report)
    {
        if (stepOf(report) % Stride != 0) return;
        _kept.Add(report);
        while (_kept.Count > Capacity)
        {
            Stride *= 2;
            _kept.RemoveAll(kept => stepOf(kept) % Stride != 0);
        }
    }

    public IEnumerator<T> GetEnumerator() => _kept.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

public static class ThinnedSteps
{
    /// <summary>More points than a plot's pixels, and a few megabytes of reports at most.</summary>
    public const int DefaultCapacity = 1 << 16;
}
