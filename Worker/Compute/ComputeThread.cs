using System.Collections.Concurrent;
using System.Diagnostics;

namespace DistTrainer.Worker.Compute;

/// <summary>
/// The one long-lived thread a worker computes its shards on, in the order given. A fresh thread per
/// shard cost a thread start on every step's critical path; the actor must not compute itself (a
/// shard takes milliseconds and would hold up its messages).
/// </summary>
/// <remarks>
/// Once its queue is empty the thread polls it for up to the spin budget before it blocks. A step's next shard arrives
/// with the weights a fraction of a millisecond after this worker's result went out; a blocked thread woken for it
/// waited 0.3-0.4 ms for a core on two cores (docs/benchmarks/cluster-handoffs.md), a polling one takes it at once.
/// The polling yields its core to any other ready thread, and the budget bounds what a worker with nothing to do burns.
/// </remarks>
public sealed class ComputeThread
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly long _spinTicks;

    /// <param name="spin">How long the thread polls for more work before it blocks; zero blocks at once.</param>
    public ComputeThread(string name, TimeSpan spin = default)
    {
        _spinTicks = (long)(spin.TotalSeconds * Stopwatch.Frequency);
        new Thread(Loop) { IsBackground = true, Name = name }.Start();
    }

    private void Loop()
    {
        while (TryTakeSpinning(out var work) || _work.TryTake(out work, Timeout.Infinite)) work();
    }

    private bool TryTakeSpinning(out Action work)
    {
        if (_work.TryTake(out work!)) return true;
        long until = Stopwatch.GetTimestamp() + _spinTicks;
        var spinner = new SpinWait();
        while (Stopwatch.GetTimestamp() < until)
        {
            // -1: never Thread.Sleep(1), whose millisecond would cost more than the wake-up this saves.
            spinner.SpinOnce(sleep1Threshold: -1);
            if (_work.TryTake(out work!)) return true;
        }
        return false;
    }

    /// <summary>Runs <paramref name="work"/> after everything queued before it; the task carries its result or exception.</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    done.SetResult(work());
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        }
        catch (InvalidOperationException)
        {
            done.SetException(new ObjectDisposedException(nameof(ComputeThread), "the compute thread has stopped"));
        }
        return done.Task;
    }

    /// <summary>
    /// Stops taking work and ends the thread after what is queued, running <paramref name="last"/> there
    /// (releasing what the queued work uses), without waiting for it.
    /// </summary>
    public void Stop(Action last)
    {
        try
        {
            _work.Add(last);
        }
        catch (InvalidOperationException)
        {
            return;
        }
        _work.CompleteAdding();
    }
}
