using DistTrainer.Core.Compute;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Worker.Compute;

/// <summary>
/// One of a worker's compute lanes: a thread, and the backend and model its shards compute on. Lanes past the first
/// exist only for synchronised batch norm (see <see cref="ShardQueue"/>); they make their backend and model at their
/// first shard, on their own thread, so a worker that never holds two shards of one step never pays for a second model.
/// </summary>
public sealed class ComputeLane
{
    private readonly Func<(IComputeBackend Backend, ShardComputer Computer)>? _create;
    private IComputeBackend? _backend;
    private ShardComputer? _computer;

    /// <summary>A lane whose backend and model <paramref name="create"/> makes at its first shard.</summary>
    public ComputeLane(ComputeThread thread, Func<(IComputeBackend Backend, ShardComputer Computer)> create)
    {
        Thread = thread;
        _create = create;
    }

    /// <summary>A lane with its backend and model made already.</summary>
    public ComputeLane(ComputeThread thread, IComputeBackend backend, ShardComputer computer)
    {
        Thread = thread;
        _backend = backend;
        _computer = computer;
    }

    public ComputeThread Thread { get; }

    /// <summary>The lane's model; only its thread calls this (the first call makes it).</summary>
    public ShardComputer Computer
    {
        get
        {
            if (_computer is null) (_backend, _computer) = _create!();
            return _computer;
        }
    }

    /// <summary>Ends the thread after the work queued on it, freeing the model and backend there (never under a shard computing).</summary>
    public void Stop() => Thread.Stop(() =>
    {
        _computer?.Dispose();
        _backend?.Dispose();
    });
}
