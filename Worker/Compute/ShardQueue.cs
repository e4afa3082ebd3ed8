using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.DataPlane;
using Serilog;

namespace DistTrainer.Worker.Compute;

/// <summary>
/// A worker's assigned shards and its newest weights: the oldest shard whose weights are here (step s needs
/// the weights of version s) starts on the compute thread as soon as both are in, from whichever thread
/// brought the second: the data plane's reader (new weights), the actor (a new shard) or the compute thread
/// (a shard done). Weights used to reach the compute thread through the worker actor's mailbox, one more
/// thread hand-off on every step's critical path. A shard for weights older than the newest is for a step
/// already applied: it is dropped. A shard for newer weights (the coordinator sends the next step ahead)
/// waits for them without holding up the others. At most one shard computes at a time; a weights payload
/// goes back to the pool once it is neither the newest nor the one a shard in progress reads (a stream of
/// 1 MB+ arrays per step otherwise means a full collection every few steps).
/// </summary>
public sealed class ShardQueue
{
    private readonly List<ComputeShard> _waiting = [];
    private readonly ComputeThread _thread;
    private readonly Action<float[]> _release;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private Func<ComputeShard, WeightsArrived, string?>? _compute;
    private Action<ComputeShard, string>? _failed;
    private WeightsArrived? _newest;
    private WeightsArrived? _inUse;
    private bool _stopped;

    /// <param name="release">Gives a weights payload no one reads any more back to its pool.</param>
    public ShardQueue(ComputeThread thread, Action<float[]> release, ILogger log)
    {
        _thread = thread;
        _release = release;
        _log = log;
    }

    /// <summary>
    /// Shards start from now on: each through <paramref name="compute"/> on the compute thread, which returns why
    /// it failed, or null; a failure goes to <paramref name="failed"/> (on the compute thread).
    /// </summary>
    public void Open(Func<ComputeShard, WeightsArrived, string?> compute, Action<ComputeShard, string> failed)
    {
        lock (_gate)
        {
            _compute = compute;
            _failed = failed;
            StartNext();
        }
    }

    public void Assign(ComputeShard shard)
    {
        lock (_gate)
        {
            _waiting.Add(shard);
            StartNext();
        }
    }

    /// <summary>Newer weights replace the newest; this queue owns <paramref name="weights"/>' payload from here on.</summary>
    public void Deliver(WeightsArrived weights)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                _release(weights.Weights);
                return;
            }
            var previous = _newest;
            _newest = weights;
            Retire(previous);
            StartNext();
        }
    }

    /// <summary>No shard starts after this; one computing finishes on its own.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _waiting.Clear();
        }
    }

    private void StartNext()
    {
        if (_inUse is not null || _stopped || _compute is null || _newest is not { } weights) return;
        foreach (var stale in _waiting.Where(s => s.Step < weights.Version))
            _log.Debug("Step {Step} shard {Shard}: dropped, the weights have moved on to version {Version}", stale.Step + 1, stale.ShardId, weights.Version);
        _waiting.RemoveAll(s => s.Step < weights.Version);
        int next = _waiting.FindIndex(s => s.Step == weights.Version);
        if (next < 0) return;
        var shard = _waiting[next];
        _waiting.RemoveAt(next);
        _inUse = weights;
        _ = _thread.Run(() => Compute(shard, weights));
    }

    private bool Compute(ComputeShard shard, WeightsArrived weights)
    {
        string? error;
        try
        {
            error = _compute!(shard, weights);
        }
        catch (Exception e)
        {
            error = e.Message;
        }
        if (error is not null) _failed!(shard, error);
        lock (_gate)
        {
            var used = _inUse;
            _inUse = null;
            Retire(used);
            StartNext();
        }
        return error is null;
    }

    private void Retire(WeightsArrived? weights)
    {
        if (weights is not null && !ReferenceEquals(weights, _newest) && !ReferenceEquals(weights, _inUse))
            _release(weights.Weights);
    }
}
