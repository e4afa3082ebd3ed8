using System.Collections.Concurrent;

namespace DistTrainer.Worker.Compute;

/// <summary>
/// The one long-lived thread a worker computes its shards on, in the order given. A fresh thread per
/// shard cost a thread start on every step's critical path; the actor must not compute itself (a
/// shard takes milliseconds and would hold up its messages).
/// </summary>
public sealed class ComputeThread
{
    private readonly BlockingCollection<Action> _work = new();

    public ComputeThread(string name)
    {
        new Thread(() =>
        {
            foreach (var work in _work.GetConsumingEnumerable()) work();
        })
        { IsBackground = true, Name = name }.Start();
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
