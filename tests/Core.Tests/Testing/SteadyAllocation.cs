namespace DistTrainer.Core.Tests.Testing;

/// <summary>
/// Bytes a warmed-up operation allocates on the calling thread. The runtime itself allocates now
/// and then on a test's thread (a method promoted to its optimised tier, a wake-up that inflates a
/// lock), so one round can see a few kilobytes that are not the operation's. An operation that
/// allocates per call allocates in every round, so the fewest bytes over several rounds is its own.
/// </summary>
internal static class SteadyAllocation
{
    public static long FewestBytes(Action operation, int rounds = 5, int callsPerRound = 20)
    {
        operation();
        long fewest = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int call = 0; call < callsPerRound; call++) operation();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }

    /// <summary>
    /// The same for a loop that reports its thread's allocated bytes itself: <paramref name="marks"/>[i] read after call i.
    /// The calls after <paramref name="warmUp"/> are cut into <paramref name="rounds"/> rounds.
    /// </summary>
    public static long FewestBytes(IReadOnlyList<long> marks, int warmUp, int rounds = 5)
    {
        int callsPerRound = (marks.Count - 1 - warmUp) / rounds;
        long fewest = long.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            int start = warmUp + round * callsPerRound;
            fewest = Math.Min(fewest, marks[start + callsPerRound] - marks[start]);
        }
        return fewest;
    }
}
