namespace DistTrainer.Coordinator.Roster;

/// <summary>
/// When a worker whose results keep being rejected (malformed, NaN/Inf, outliers) gets no more shards for the rest of the
/// run: after <paramref name="After"/> rejections within <paramref name="WindowSteps"/> steps (0: never).
/// </summary>
public sealed record QuarantinePolicy(int After, int WindowSteps)
{
    public static readonly QuarantinePolicy Never = new(0, 0);
}
