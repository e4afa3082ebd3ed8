using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Persistent threads for the parts of one operation. The calling thread and the workers claim
/// parts from a shared ticket until none is left, so a worker that is slow to wake only means the
/// others run more parts. A worker spins for a while after a call, so that the next operation of a
/// training step reaches it within a microsecond or so, then sleeps on a semaphore so that an
/// idle backend costs no CPU. Nothing is allocated per call. One caller at a time.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    private readonly Worker[] workers;
    private IParallelWork? work;

    /// <summary>generation (bits 32..63), parts (16..31), next unclaimed part (0..15): one atomic word.</summary>
    private long ticket;

    private int generation;
    private int pending;
    private int running;
    private volatile bool disposed;
    private ExceptionDispatchInfo? failure;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, ushort.MaxValue);
        Threads = threads;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.Length; i++)
            workers[i] = new Worker(this, i + 1);
    }

    public int Threads { get; }

    /// <summary>Runs <paramref name="work"/> parts 0 .. parts - 1 and returns when all are done.</summary>
    public void Run(IParallelWork work, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, Threads);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Interlocked.Exchange(ref running, 1) != 0)
            throw new InvalidOperationException("the worker pool is already running an operation: one caller at a time");
        try
        {
            int current = Start(work, parts);
            ExecuteClaimed(current, 0);
            var spinner = new SpinWait();
            while (Volatile.Read(ref pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
        Interlocked.Exchange(ref failure, null)?.Throw();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        int last = Interlocked.Increment(ref generation);
        foreach (var worker in workers) worker.Signal(last);
        foreach (var worker in workers) worker.Stop();
    }

    private int Start(IParallelWork work, int parts)
    {
        this.work = work;
        int current = ++generation;
        Volatile.Write(ref pending, parts);
        // Publishing the ticket last makes the work visible to whoever claims from it.
        Interlocked.Exchange(ref ticket, ((long)current << 32) | ((long)parts << 16));
        for (int i = 0; i < parts - 1; i++) workers[i].Signal(current);
        return current;
    }

    /// <summary>Runs parts of generation <paramref name="current"/> until none is left unclaimed.</summary>
    private void ExecuteClaimed(int current, int thread)
    {
        while (TryClaim(current, out int part))
        {
            try
            {
                work!.Execute(part, thread);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        }
    }

    private bool TryClaim(int current, out int part)
    {
        long seen = Volatile.Read(ref ticket);
        while (true)
        {
            part = (int)(seen & 0xFFFF);
            if ((int)(seen >> 32) != current || part >= (int)((seen >> 16) & 0xFFFF)) return false;
            long before = Interlocked.CompareExchange(ref ticket, seen + 1, seen);
            if (before == seen) return true;
            seen = before;
        }
    }

    private sealed class Worker
    {
        private readonly WorkerPool pool;
        private readonly int slot;
        private readonly Thread thread;
        private readonly SemaphoreSlim wake = new(0);
        private int signalled;
        private int sleeping;

        public Worker(WorkerPool pool, int slot)
        {
            this.pool = pool;
            this.slot = slot;
            thread = new Thread(Loop) { IsBackground = true, Name = $"CpuBackend worker {slot}" };
            thread.Start();
        }

        /// <summary>Asks the worker to claim parts of generation <paramref name="current"/> (or to stop, once disposed).</summary>
        public void Signal(int current)
        {
            // The exchange orders the signal before the read of the flag, and the worker orders its
            // flag before re-reading the signal, so one of the two sees the other.
            Interlocked.Exchange(ref signalled, current);
            if (Volatile.Read(ref sleeping) != 0) wake.Release();
        }

        public void Stop()
        {
            thread.Join();
            wake.Dispose();
        }

        private void Loop()
        {
            int served = 0;
            while (true)
            {
                served = AwaitSignal(served);
                if (pool.disposed) return;
                pool.ExecuteClaimed(served, slot);
            }
        }

        /// <summary>Spins for a while, then sleeps, until a generation other than <paramref name="served"/> is signalled.</summary>
        private int AwaitSignal(int served)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                int current = Volatile.Read(ref signalled);
                if (current != served) return current;
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref sleeping, 1);
                if (Volatile.Read(ref signalled) == served) wake.Wait();
                Volatile.Write(ref sleeping, 0);
                deadline = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
