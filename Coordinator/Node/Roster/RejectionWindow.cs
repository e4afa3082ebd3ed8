namespace DistTrainer.Coordinator.Roster;

/// <summary>
/// The steps at which one worker's results were rejected, within the policy's window: whether they are now
/// enough to quarantine it. Bounded: it keeps at most <see cref="QuarantinePolicy.After"/> steps.
/// </summary>
public sealed class RejectionWindow(QuarantinePolicy policy)
{
    private readonly Queue<long> _steps = new();

    /// <summary>Counts a rejection at <paramref name="step"/>; true once the window holds the policy's number of them.</summary>
    public bool Add(long step)
    {
        if (policy.After <= 0) return false;
        _steps.Enqueue(step);
        while (_steps.Count > policy.After || (_steps.Count > 0 && _steps.Peek() <= step - policy.WindowSteps)) _steps.Dequeue();
        return _steps.Count >= policy.After;
    }

    public int Count => _steps.Count;
}
