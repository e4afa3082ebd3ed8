using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace DistTrainer.Shared.Compute.Cpu;

/// <summary>
/// Persistent threads for the parts of one operation. The calling thread runs part 0 and the
/// workers the others. A worker spins for a while after its part, so that the next operation of a
/// training step starts within microseconds, then sleeps on a semaphore so that an idle backend
/// costs no CPU. Nothing is allocated per call. One caller at a time.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 5000;

    private readonly Worker[] workers;
    private IParallelWork? work;
    private int parts;
    private int pending;
    private int running;
    private bool disposed;
    private ExceptionDispatchInfo? failure;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.Length; i++)
            workers[i] = new Worker(this, i + 1);
    }

    public int Threads { get; }

    /// <summary>Runs <paramref name="work"/>.Execute(0 .. parts - 1) and returns when all are done.</summary>
    public void Run(IParallelWork work, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, Threads);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Interlocked.Exchange(ref running, 1) != 0)
            throw new InvalidOperationException("the worker pool is already running an operation: one caller at a time");
        if (parts > 1) Start(work, parts);
        try
        {
            work.Execute(0);
        }
        finally
        {
            if (parts > 1) WaitForWorkers();
            Volatile.Write(ref running, 0);
        }
        var error = Interlocked.Exchange(ref failure, null);
        error?.Throw();
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var worker in workers) worker.Signal();
        foreach (var worker in workers) worker.Stop();
    }

    private void Start(IParallelWork work, int parts)
    {
        this.work = work;
        this.parts = parts;
        Volatile.Write(ref pending, parts - 1);
        for (int i = 0; i < parts - 1; i++) workers[i].Signal();
    }

    private void WaitForWorkers()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
    }

    private void Execute(int part)
    {
        try
        {
            work!.Execute(part);
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

    private sealed class Worker
    {
        private readonly WorkerPool pool;
        private readonly int part;
        private readonly Thread thread;
        private readonly SemaphoreSlim wake = new(0);
        private int signalled;
        private int sleeping;

        public Worker(WorkerPool pool, int part)
        {
            this.pool = pool;
            this.part = part;
            thread = new Thread(Loop) { IsBackground = true, Name = $"CpuBackend worker {part}" };
            thread.Start();
        }

        /// <summary>Hands the worker the pool's current work (or, once disposed, tells it to stop).</summary>
        public void Signal()
        {
            // The exchange orders the signal before the read of the flag, and the worker orders its
            // flag before re-reading the signal, so one of the two sees the other.
            Interlocked.Exchange(ref signalled, 1);
            if (Volatile.Read(ref sleeping) != 0) wake.Release();
        }

        public void Stop()
        {
            thread.Join();
            wake.Dispose();
        }

        private void Loop()
        {
            while (true)
            {
                AwaitSignal();
                Volatile.Write(ref signalled, 0);
                if (pool.disposed) return;
                pool.Execute(part);
            }
        }

        /// <summary>Spins for a while, then sleeps, until <see cref="Signal"/> is called.</summary>
        private void AwaitSignal()
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref signalled) == 0)
            {
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref sleeping, 1);
                if (Volatile.Read(ref signalled) == 0) wake.Wait();
                Volatile.Write(ref sleeping, 0);
                deadline = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
