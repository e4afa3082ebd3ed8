namespace DistTrainer.Coordinator.ParameterServer.Ranges;

/// <summary>
/// Runs one piece of work per parameter range at the same time: piece 0 on the caller's thread, the others on
/// threads started once with the crew, so a step starts no task and allocates nothing. The caller waits for
/// them with a timeout; a piece that does not finish in it leaves its range in an unknown state, so the crew
/// refuses every later run and the parameter server stops with the error instead of using those weights.
/// One piece (K = 1) runs inline, with no thread and no wait.
/// </summary>
public sealed class RangeCrew : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _finished;
    private readonly TimeSpan _timeout;
    private Action<int>? _work;
    private Exception? _failure;
    private string? _broken;
    private volatile bool _disposed;

    public RangeCrew(int pieces, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pieces, 1);
        Pieces = pieces;
        _timeout = timeout;
        _finished = new CountdownEvent(0);
        _start = [.. Enumerable.Range(1, pieces - 1).Select(_ => new SemaphoreSlim(0, 1))];
        _threads = [.. Enumerable.Range(1, pieces - 1).Select(piece => new Thread(() => Serve(piece))
        {
            IsBackground = true,
            Name = $"ps-range-{piece}",
        })];
        foreach (var thread in _threads) thread.Start();
    }

    public int Pieces { get; }

    /// <summary>
    /// Runs <paramref name="work"/> for every piece and returns when all have; rethrows the first piece's
    /// exception, and throws <see cref="TimeoutException"/> when a piece is not done within the timeout.
    /// </summary>
    public void Run(Action<int> work)
    {
        if (_broken is not null) throw new InvalidOperationException(_broken);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Pieces == 1)
        {
            work(0);
            return;
        }

        _work = work;
        _failure = null;
        _finished.Reset(Pieces - 1);
        foreach (var start in _start) start.Release();
        try
        {
            work(0);
        }
        finally
        {
            if (!_finished.Wait(_timeout))
            {
                _broken = $"a parameter range was not updated within {_timeout.TotalSeconds:0.#} s; its weights can no longer be trusted";
                throw new TimeoutException(_broken);
            }
        }

        if (_failure is { } failure) throw new InvalidOperationException($"a parameter range failed: {failure.Message}", failure);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var start in _start) start.Release();
        foreach (var thread in _threads) thread.Join(_timeout);
        foreach (var start in _start) start.Dispose();
        _finished.Dispose();
    }

    private void Serve(int piece)
    {
        var start = _start[piece - 1];
        while (true)
        {
            start.Wait();
            if (_disposed) return;
            try
            {
                _work!(piece);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                _finished.Signal();
            }
        }
    }
}
