using System.Diagnostics;
using DistTrainer.Core.Compute.Cpu;
using Xunit;

namespace DistTrainer.Core.Tests.Compute.Cpu;

public sealed class WorkerPoolTests
{
    [Fact]
    public void Every_part_runs_once_per_call()
    {
        using var pool = new WorkerPool(3);
        var work = new RecordingWork(3);

        for (int call = 0; call < 300; call++) pool.Run(work, call % 3 + 1);

        // Calls with p parts ran parts 0..p-1: part 0 in all 300, part 1 in 200, part 2 in 100.
        Assert.Equal([300, 200, 100], work.Counts);
    }

    [Fact]
    public void Parts_that_take_a_while_are_shared_among_the_threads()
    {
        using var pool = new WorkerPool(2);
        var work = new RecordingWork(2, busyMicroseconds: 200);

        // At least 50 calls; more while the caller took both parts itself, as it may on a loaded machine (up to 2,000).
        int calls = 0;
        while (calls < 50 || (calls < 2000 && work.PartsPerThread[1] == 0))
        {
            pool.Run(work, 2);
            calls++;
        }

        Assert.Equal([calls, calls], work.Counts);
        Assert.True(work.PartsPerThread[1] > 0, "the worker never claimed a part");
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
    public void Calls_complete_while_workers_sleep_and_after_they_wake()
    {
        using var pool = new WorkerPool(2);
        var work = new RecordingWork(2, busyMicroseconds: 100);

        for (int call = 0; call < 5; call++)
        {
            Thread.Sleep(20);
            pool.Run(work, 2);
        }

        Assert.Equal([5, 5], work.Counts);
    }

    [Fact]
    public void Workers_allocate_nothing_between_calls_whether_spinning_or_sleeping()
    {
        using var pool = new WorkerPool(3);
        var work = new RecordingWork(3, busyMicroseconds: 50);
        for (int call = 0; call < 2000 && (work.PartsPerThread[1] == 0 || work.PartsPerThread[2] == 0); call++) pool.Run(work, 3);

        work.Recording = true;
        // At least 100 calls, some after a sleep long enough for the workers to park; more while the caller took every part
        // itself (a loaded machine wakes parked workers late: once in a full local run, 100 calls left them none).
        for (int call = 0; call < 100 || (call < 2000 && (work.RecordedParts[1] < 2 || work.RecordedParts[2] < 2)); call++)
        {
            if (call % 25 == 0) Thread.Sleep(20);
            pool.Run(work, 3);
        }

        // Two parts each at least: a thread's first and last allocation counts are the same reading for one part.
        Assert.True(work.RecordedParts[1] >= 2 && work.RecordedParts[2] >= 2, $"the workers hardly claimed a part: {work.RecordedParts[1]}, {work.RecordedParts[2]}");
        Assert.Equal(work.FirstAllocatedBytes[1..], work.LastAllocatedBytes[1..]);
    }

    private sealed class RecordingWork(int threads, int busyMicroseconds = 0) : IParallelWork
    {
        public int[] Counts { get; } = new int[threads];

        public int[] PartsPerThread { get; } = new int[threads];

        /// <summary>Once set, each thread's allocated bytes are noted when it starts a part.</summary>
        public bool Recording { get; set; }

        public int[] RecordedParts { get; } = new int[threads];

        public long[] FirstAllocatedBytes { get; } = new long[threads];

        public long[] LastAllocatedBytes { get; } = new long[threads];

        public void Execute(int part, int thread)
        {
            if (Recording)
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                if (RecordedParts[thread]++ == 0) FirstAllocatedBytes[thread] = allocated;
                LastAllocatedBytes[thread] = allocated;
            }
            Interlocked.Increment(ref Counts[part]);
            Interlocked.Increment(ref PartsPerThread[thread]);
            long end = Stopwatch.GetTimestamp() + busyMicroseconds * Stopwatch.Frequency / 1_000_000;
            while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(10);
        }
    }

    private sealed class FailingWork(int failingPart) : IParallelWork
    {
        public void Execute(int part, int thread)
        {
            if (part == failingPart) throw new InvalidOperationException($"part {part} failed");
        }
    }
}
