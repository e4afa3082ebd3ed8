using System.Security.Cryptography;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Roster;

/// <summary>
/// Who takes part in a run: registers workers (refusing another protocol version or model, with the
/// reason), follows their data plane and their node's reachability, loses and forgets them, and keeps
/// what the run report needs of them: the workers lost and the shards each computed. Quarantines a worker
/// whose results keep being rejected (<see cref="QuarantinePolicy"/>): it is not lost, but gets no more
/// shards in this run, even after registering again. Plain state the coordinator actor asks; the actor
/// does the messaging.
/// </summary>
public sealed class WorkerRoster(string layers, ILogger log, QuarantinePolicy? quarantine = null)
{
    private readonly Dictionary<string, WorkerEntry> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RejectionWindow> _rejections = new(StringComparer.Ordinal);
    private readonly List<string> _quarantined = [];
    private readonly Dictionary<string, long> _shardsPerWorker = new(StringComparer.Ordinal);
    private readonly List<string> _lost = [];
    // Every registered worker's node, kept after it is lost: its streams' bytes stay counted where they went.
    private readonly Dictionary<string, Address> _nodes = new(StringComparer.Ordinal);

    /// <summary>The workers lost while ready, in the order they were lost (one may be lost again after it came back).</summary>
    public IReadOnlyList<string> Lost => _lost;

    /// <summary>The workers quarantined, in the order they were.</summary>
    public IReadOnlyList<string> Quarantined => _quarantined;

    /// <summary>Shards of applied steps, per worker whose result was taken for them.</summary>
    public IReadOnlyDictionary<string, long> ShardsPerWorker => _shardsPerWorker;

    /// <summary>The node <paramref name="workerId"/> last registered from (its actor's address), or null when it never did.</summary>
    public Address? NodeOf(string workerId) => _nodes.GetValueOrDefault(workerId);

    /// <summary>
    /// Registers <paramref name="register"/>'s worker as <paramref name="worker"/>, or again after it reconnects
    /// (not ready until its data plane connects). Returns null, or why it is refused.
    /// </summary>
    public string? Register(RegisterWorker register, IActorRef worker)
    {
        string? refusal = ProtocolVersion.Refusal(register.ProtocolVersion)
                          ?? (register.ExpectedLayers is { } expected && expected != layers
                              ? $"model '{expected}' differs from the run's '{layers}'"
                              : KeyRangeStreams.Reserved(register.WorkerId)
                                  ? $"worker id '{register.WorkerId}' reads as a key range's stream; choose an id without '/range/'"
                                  : null);
        if (refusal is not null)
        {
            log.Warning("Refused worker {Worker} from {Node}: {Reason}", register.WorkerId, register.Node, refusal);
            return refusal;
        }
        _nodes[register.WorkerId] = worker.Path.Address;
        if (!_workers.TryGetValue(register.WorkerId, out var entry))
        {
            _workers[register.WorkerId] = entry = new WorkerEntry(register.WorkerId, worker);
            log.Information("Registered worker {Worker} on {Node} ({Backend})", register.WorkerId, register.Node, register.Backend);
        }
        // A worker registers when it sees itself up, when it sees a coordinator up and on a timer, so a registration can
        // cross its acceptance in flight. From the same actor with its stream up and reachable, that is all it is: nothing
        // changes (resetting it would wait for a stream the worker, already training, never opens again).
        if (entry.Ref.Equals(worker) && entry.Connected && entry.Reachable) return null;
        // A new stream token on every registration from another actor (a restarted worker, a fresh node), or from one whose
        // stream was lost: one it had before (or anyone overheard) opens nothing now. The same actor registering again
        // before its stream connected keeps the token already sent, or the stream it opens is refused.
        bool repeated = entry.Ref.Equals(worker) && !entry.Connected && entry.StreamToken.Length > 0;
        if (!repeated) entry.StreamToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        entry.Ref = worker;
        entry.Reachable = true;
        entry.Connected = false;
        entry.Quarantined = _quarantined.Contains(register.WorkerId);
        return null;
    }

    /// <summary>The stream token of a registered worker's current registration.</summary>
    public string StreamTokenOf(string workerId) => _workers[workerId].StreamToken;

    /// <summary>
    /// A result of the worker was rejected at <paramref name="step"/>; true when that puts it in quarantine (logged
    /// once, with its node).
    /// </summary>
    public bool Rejected(string workerId, long step)
    {
        var policy = quarantine ?? QuarantinePolicy.Never;
        if (_quarantined.Contains(workerId)) return false;
        if (!_rejections.TryGetValue(workerId, out var window)) _rejections[workerId] = window = new RejectionWindow(policy);
        if (!window.Add(step)) return false;
        _quarantined.Add(workerId);
        _workers.TryGetValue(workerId, out var entry);
        if (entry is not null) entry.Quarantined = true;
        log.Warning("Quarantined worker {Worker} on {Node}: {Rejections} of its results were rejected within {Window} steps; " +
                    "it gets no more shards in this run", workerId, entry?.Ref.Path.Address.ToString() ?? "an unknown node", window.Count,
            policy.WindowSteps);
        return true;
    }

    /// <summary>The worker's data plane is connected; false when it is not (or no longer) registered.</summary>
    public bool Connect(string workerId)
    {
        if (!_workers.TryGetValue(workerId, out var entry)) return false;
        entry.Connected = true;
        return true;
    }

    /// <summary>The workers on <paramref name="node"/> are reachable again.</summary>
    public void Reachable(Address node)
    {
        foreach (var entry in _workers.Values.Where(w => w.Ref.Path.Address == node))
        {
            entry.Reachable = true;
            log.Information("Worker {Worker} is reachable again", entry.Id);
        }
    }

    public IReadOnlyList<string> WorkersOn(Address node) =>
        _workers.Values.Where(w => w.Ref.Path.Address == node).Select(w => w.Id).ToList();

    /// <summary>
    /// The worker is unreachable, or (<paramref name="forget"/>) gone: it must register again to take part. Counted as
    /// lost when it was ready. False when it is not registered.
    /// </summary>
    public bool Lose(string workerId, string reason, bool forget)
    {
        if (!_workers.TryGetValue(workerId, out var entry)) return false;
        bool wasReady = entry.IsReady;
        entry.Reachable = false;
        if (forget)
        {
            _workers.Remove(workerId);
            entry.Connected = false;
        }
        if (wasReady)
        {
            log.Warning("Lost worker {Worker}: {Reason}", workerId, reason);
            _lost.Add(workerId);
        }
        return true;
    }

    /// <summary>A shard of <paramref name="rows"/> rows came in from the worker, computed in <paramref name="computeSeconds"/>.</summary>
    public void ShardComputed(string workerId, int rows, double computeSeconds)
    {
        if (_workers.TryGetValue(workerId, out var entry) && computeSeconds > 0)
            entry.Observe(rows / computeSeconds);
    }

    /// <summary>
    /// A step was applied with the result of <paramref name="senders"/>[i] for its shard i. Counted from what the
    /// parameter server applied, not from the results the coordinator saw arrive: a step planned again just after
    /// it was applied makes the coordinator ignore the arrivals of the attempt that was in fact applied.
    /// </summary>
    public void ShardsApplied(IReadOnlyList<string> senders)
    {
        foreach (string workerId in senders)
            _shardsPerWorker[workerId] = _shardsPerWorker.GetValueOrDefault(workerId) + 1;
    }

    /// <summary>The ready workers in ordinal id order, the order shards are cut in.</summary>
    public IReadOnlyList<WorkerEntry> Ready() =>
        _workers.Values.Where(w => w.IsReady).OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
}
