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

    private readonly Worker[] _workers;
    private IParallelWork? _work;

    /// <summary>generation (bits 32..63), parts (16..31), next unclaimed part (0..15): one atomic word.</summary>
    private long _ticket;

    private int _generation;
    private int _pending;
    private int _running;
    private volatile bool _disposed;
    private ExceptionDispatchInfo? _failure;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, ushort.MaxValue);
        Threads = threads;
        _workers = new Worker[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
            _workers[i] = new Worker(this, i + 1);
    }

    public int Threads { get; }

    /// <summary>Runs <paramref name="work"/> parts 0 .. parts - 1 and returns when all are done.</summary>
    public void Run(IParallelWork work, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(parts, Threads);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _running, 1) != 0)
            throw new InvalidOperationException("the worker pool is already running an operation: one caller at a time");
        try
        {
            int current = Start(work, parts);
            ExecuteClaimed(current, 0);
            var spinner = new SpinWait();
            while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
        Interlocked.Exchange(ref _failure, null)?.Throw();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int last = Interlocked.Increment(ref _generation);
        foreach (var worker in _workers) worker.Signal(last);
        foreach (var worker in _workers) worker.Stop();
    }

    private int Start(IParallelWork work, int parts)
    {
        this._work = work;
        int current = ++_generation;
        Volatile.Write(ref _pending, parts);
        // Publishing the ticket last makes the work visible to whoever claims from it.
        Interlocked.Exchange(ref _ticket, ((long)current << 32) | ((long)parts << 16));
        for (int i = 0; i < parts - 1; i++) _workers[i].Signal(current);
        return current;
    }

    /// <summary>Runs parts of generation <paramref name="current"/> until none is left unclaimed.</summary>
    private void ExecuteClaimed(int current, int thread)
    {
        while (TryClaim(current, out int part))
        {
            try
            {
                _work!.Execute(part, thread);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private bool TryClaim(int current, out int part)
    {
        long seen = Volatile.Read(ref _ticket);
        while (true)
        {
            part = (int)(seen & 0xFFFF);
            if ((int)(seen >> 32) != current || part >= (int)((seen >> 16) & 0xFFFF)) return false;
            long before = Interlocked.CompareExchange(ref _ticket, seen + 1, seen);
            if (before == seen) return true;
            seen = before;
        }
    }

    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly int _slot;
        private readonly Thread _thread;
        private readonly SemaphoreSlim _wake = new(0);
        private int _signalled;
        private int _sleeping;

        public Worker(WorkerPool pool, int slot)
        {
            this._pool = pool;
            this._slot = slot;
            _thread = new Thread(Loop) { IsBackground = true, Name = $"CpuBackend worker {slot}" };
            _thread.Start();
        }

        /// <summary>Asks the worker to claim parts of generation <paramref name="current"/> (or to stop, once disposed).</summary>
        public void Signal(int current)
        {
            // The exchange orders the signal before the read of the flag, and the worker orders its
            // flag before re-reading the signal, so one of the two sees the other.
            Interlocked.Exchange(ref _signalled, current);
            if (Volatile.Read(ref _sleeping) != 0) _wake.Release();
        }

        public void Stop()
        {
            _thread.Join();
            _wake.Dispose();
        }

        private void Loop()
        {
            int served = 0;
            while (true)
            {
                served = AwaitSignal(served);
                if (_pool._disposed) return;
                _pool.ExecuteClaimed(served, _slot);
            }
        }

        /// <summary>Spins for a while, then sleeps, until a generation other than <paramref name="served"/> is signalled.</summary>
        private int AwaitSignal(int served)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                int current = Volatile.Read(ref _signalled);
                if (current != served) return current;
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _signalled) == served) _wake.Wait();
                Volatile.Write(ref _sleeping, 0);
                deadline = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
