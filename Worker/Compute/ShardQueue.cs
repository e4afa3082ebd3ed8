using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.DataPlane;
using Serilog;

namespace DistTrainer.Worker.Compute;

/// <summary>
/// A worker's assigned shards and its newest weights: the oldest shard whose weights are here (step s needs
/// the weights of version s) starts on a free compute lane as soon as both are in, from whichever thread
/// brought the second: the data plane's reader (new weights), the actor (a new shard) or a compute thread
/// (a shard done). One lane computes a worker's shards one after another; with synchronised batch norm the shards
/// of one step wait on each other's statistics, so a worker that holds several of them (one reassigned to it after
/// a fault) computes them at the same time, one lane each. Weights used to reach the compute thread through the worker actor's mailbox, one more
/// thread hand-off on every step's critical path. A shard for weights older than the newest is for a step
/// already applied: it is dropped. A shard for newer weights (the coordinator sends the next step ahead)
/// waits for them without holding up the others. At most one shard computes per lane; a weights payload
/// goes back to the pool once it is neither the newest nor one a shard in progress reads (a stream of
/// 1 MB+ arrays per step otherwise means a full collection every few steps).
/// </summary>
public sealed class ShardQueue
{
    private readonly List<ComputeShard> _waiting = [];
    private readonly IReadOnlyList<ComputeThread> _lanes;
    private readonly Action<float[]> _release;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly WeightsArrived?[] _inUse;
    private Func<int, ComputeShard, WeightsArrived, string?>? _compute;
    private Action<ComputeShard, string>? _failed;
    private WeightsArrived? _newest;
    private bool _stopped;

    /// <param name="lanes">The compute threads, one per shard that may compute at the same time.</param>
    /// <param name="release">Gives a weights payload no one reads any more back to its pool.</param>
    public ShardQueue(IReadOnlyList<ComputeThread> lanes, Action<float[]> release, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfZero(lanes.Count);
        _lanes = lanes;
        _inUse = new WeightsArrived?[lanes.Count];
        _release = release;
        _log = log;
    }

    /// <summary>
    /// Shards start from now on: each through <paramref name="compute"/> (given its lane's index) on that lane's thread,
    /// which returns why it failed, or null; a failure goes to <paramref name="failed"/> (on that thread).
    /// </summary>
    public void Open(Func<int, ComputeShard, WeightsArrived, string?> compute, Action<ComputeShard, string> failed)
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
        if (_stopped || _compute is null || _newest is not { } weights) return;
        if (_waiting.Exists(s => s.Step < weights.Version))
        {
            foreach (var stale in _waiting.Where(s => s.Step < weights.Version))
                _log.Debug("Step {Step} shard {Shard}: dropped, the weights have moved on to version {Version}", stale.Step + 1, stale.ShardId, weights.Version);
            _waiting.RemoveAll(s => s.Step < weights.Version);
        }
        for (int lane = Array.IndexOf(_inUse, null); lane >= 0; lane = Array.IndexOf(_inUse, null))
        {
            int next = _waiting.FindIndex(s => s.Step == weights.Version);
            if (next < 0) return;
            var shard = _waiting[next];
            _waiting.RemoveAt(next);
            _inUse[lane] = weights;
            int chosen = lane;
            _ = _lanes[lane].Run(() => Compute(chosen, shard, weights));
        }
    }

    private bool Compute(int lane, ComputeShard shard, WeightsArrived weights)
    {
        string? error;
        try
        {
            error = _compute!(lane, shard, weights);
        }
        catch (Exception e)
        {
            error = e.Message;
        }
        if (error is not null) _failed!(shard, error);
        lock (_gate)
        {
            var used = _inUse[lane];
            _inUse[lane] = null;
            Retire(used);
            StartNext();
        }
        return error is null;
    }

    private void Retire(WeightsArrived? weights)
    {
        if (weights is not null && !ReferenceEquals(weights, _newest) && Array.FindIndex(_inUse, w => ReferenceEquals(w, weights)) < 0)
            _release(weights.Weights);
    }
}
