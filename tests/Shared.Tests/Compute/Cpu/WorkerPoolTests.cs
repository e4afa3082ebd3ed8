using DistTrainer.Shared.Compute.Cpu;
using Xunit;

namespace DistTrainer.Shared.Tests.Compute.Cpu;

public sealed class WorkerPoolTests
{
    [Fact]
    public void Every_part_runs_once_per_call_on_its_own_thread()
    {
        using var pool = new WorkerPool(3);
        var work = new RecordingWork(3);

        for (int call = 0; call < 200; call++) pool.Run(work, call % 3 + 1);

        // Calls with p parts ran parts 0..p-1: part 0 in all 200, part 1 in 133, part 2 in 66.
        Assert.Equal([200, 133, 66], work.Counts);
        Assert.Equal(3, work.Threads.Distinct().Count());
        Assert.Equal(Environment.CurrentManagedThreadId, work.Threads[0]);
    }

    [Fact]
    public void A_failing_part_is_rethrown_to_the_caller_and_the_pool_stays_usable()
    {
        using var pool = new WorkerPool(2);

        var error = Assert.Throws<InvalidOperationException>(() => pool.Run(new FailingWork(1), 2));
        Assert.Equal("part 1 failed", error.Message);

        var work = new RecordingWork(2);
        pool.Run(work, 2);
        Assert.Equal([1, 1], work.Counts);
    }

    [Fact]
    public void Workers_that_fell_asleep_wake_for_the_next_call()
    {
        using var pool = new WorkerPool(2);
        var work = new RecordingWork(2);
        pool.Run(work, 2);

        Thread.Sleep(50);
        pool.Run(work, 2);

        Assert.Equal([2, 2], work.Counts);
    }

    [Fact]
    public void Workers_allocate_nothing_between_calls_whether_spinning_or_sleeping()
    {
        using var pool = new WorkerPool(3);
        var work = new RecordingWork(3);
        for (int call = 0; call < 10; call++) pool.Run(work, 3);
        Thread.Sleep(20);
        pool.Run(work, 3);
        var before = work.AllocatedBytes.ToArray();

        for (int call = 0; call < 100; call++)
        {
            if (call % 25 == 0) Thread.Sleep(20);
            pool.Run(work, 3);
        }

        Assert.Equal(before[1..], work.AllocatedBytes[1..]);
    }

    private sealed class RecordingWork(int parts) : IParallelWork
    {
        public int[] Counts { get; } = new int[parts];

        public int[] Threads { get; } = new int[parts];

        /// <summary>What each part's thread had allocated when the part last started.</summary>
        public long[] AllocatedBytes { get; } = new long[parts];

        public void Execute(int part)
        {
            AllocatedBytes[part] = GC.GetAllocatedBytesForCurrentThread();
            Counts[part]++;
            Threads[part] = Environment.CurrentManagedThreadId;
        }
    }

    private sealed class FailingWork(int failingPart) : IParallelWork
    {
        public void Execute(int part)
        {
            if (part == failingPart) throw new InvalidOperationException($"part {part} failed");
        }
    }
}
