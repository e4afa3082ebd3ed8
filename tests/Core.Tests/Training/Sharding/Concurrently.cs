using System.Runtime.ExceptionServices;

namespace DistTrainer.Core.Tests.Training.Sharding;

/// <summary>
/// Runs one body per shard, each on a thread of its own: synchronised batch norm blocks every shard
/// until all have offered, so they must truly run side by side (a thread pool of two could deadlock).
/// </summary>
internal static class Concurrently
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static void Run(int count, Action<int> body)
    {
        var failures = new Exception?[count];
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try
            {
                body(i);
            }
            catch (Exception e)
            {
                failures[i] = e;
            }
        })
        { IsBackground = true }).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads)
        {
            if (!thread.Join(Timeout)) throw new TimeoutException($"a shard thread ran past {Timeout.TotalSeconds} s");
        }
        if (failures.FirstOrDefault(f => f is not null) is { } failure) ExceptionDispatchInfo.Throw(failure);
    }
}
