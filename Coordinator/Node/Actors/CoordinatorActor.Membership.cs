using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Coordinator.Placement;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// The coordinator's membership handlers, in a file of their own: registration, workers joining a run under way,
/// the cluster's and the data plane's news of a worker lost, whose outstanding shards go where the scheduler says,
/// and the quarantine of a worker whose results keep being rejected.
/// </summary>
public sealed partial class CoordinatorActor
{
    /// <summary>Handlers the phases of a run under way share: a worker may join it, and a stop waits for the step in flight.</summary>
    private void Running()
    {
        Membership();
        Receive<WorkerConnected>(connected =>
        {
            if (_roster.Connect(connected.WorkerId))
                _log.Information("Worker {Worker} joined the run at step {Step}", connected.WorkerId, _meter.Step + 1);
        });
        Receive<StopTraining>(_ => _stopRequested = true);
        ReceiveServerFailures();
    }

    /// <summary>Handlers every phase shares: registration (of workers and standby coordinators) and cluster membership.</summary>
    private void Membership()
    {
        Receive<RegisterWorker>(Register);
        Receive<RegisterStandby>(RegisterStandby);
        Receive<WorkerWithdrew>(withdrew =>
        {
            _log.Warning("Worker {Worker} withdrew: {Reason}", withdrew.WorkerId, withdrew.Reason);
            Lose(withdrew.WorkerId, $"withdrew: {withdrew.Reason}", forget: true, dropStream: true);
        });
        Receive<WorkerDisconnected>(disconnected =>
            Lose(disconnected.WorkerId, $"data plane closed: {disconnected.Reason}", forget: false, dropStream: false));
        Receive<ClusterEvent.UnreachableMember>(unreachable =>
        {
            foreach (var worker in _roster.WorkersOn(unreachable.Member.Address)) Lose(worker, "its node is unreachable", forget: false, dropStream: true);
        });
        Receive<ClusterEvent.ReachableMember>(reachable => _roster.Reachable(reachable.Member.Address));
        Receive<ClusterEvent.ClusterShuttingDown>(_ => _clusterShuttingDown = true);
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (!_clusterShuttingDown)
            {
                // A range's node cut off without a word (a partition, a host gone) leaves its streams open: its removal is the loss.
                if (_placement?.RangesOn(removed.Member.Address) is [var range, ..])
                    _parameterServer.Tell(new RangeServerLost(range, $"its node {removed.Member.Address} left the cluster"));
                ForgetStandby(removed.Member.Address);
            }
            _placement?.ForgetNode(removed.Member.Address);
            foreach (var worker in _roster.WorkersOn(removed.Member.Address)) Lose(worker, "its node left the cluster", forget: true, dropStream: false);
        });
    }

    private void Register(RegisterWorker register)
    {
        if (!IsUpMember(Sender.Path.Address))
        {
            // Two kinds of node are not taken yet. A node of another cluster: after a coordinator restart at the same address,
            // a worker's old node (whose cluster still counts the dead coordinator) registers with the new one before it is
            // downed; accepted, it would train outside this cluster and never be told the run is over. And a node still
            // joining this one: the split-brain resolver counts only up members, so a run whose workers are all joining
            // when this coordinator dies leaves a standby alone with it, and keep-oldest then downs the standby and keeps
            // the dead node. Not refused: the worker registers again once it is up, from this cluster.
            _log.Debug("Ignored the registration of worker {Worker} from {Node}: not an up member of this cluster (yet)",
                register.WorkerId, Sender.Path.Address);
            return;
        }
        if (register.RangesOnly)
        {
            RegisterRangeHost(register);
            return;
        }
        if (_roster.Register(register, Sender) is { } refusal)
        {
            Sender.Tell(new WorkerRefused(register.WorkerId, refusal));
            return;
        }
        string token = _roster.StreamTokenOf(register.WorkerId);
        _parameterServer.Tell(new AdmitWorker(register.WorkerId, token));
        if (_placement is { Placed: false } placement)
        {
            // The job names the ranges' servers: every acceptance waits until they are placed.
            if (placement.Hold(register.WorkerId, Sender, token, Sender.Path.Address, register.RangeHostPort) || PlacesShort(placement)) Place(placement);
            return;
        }
        Sender.Tell(new WorkerAccepted(register.WorkerId, _job, token, _placement?.HostedBy(register.WorkerId)));
    }

    /// <summary>
    /// A node of role ps offers its key-range host: held like a worker's acceptance until every range is placed, and then told
    /// its ranges. It computes nothing, so the roster never hears of it; once every range is placed, another is refused.
    /// </summary>
    private void RegisterRangeHost(RegisterWorker register)
    {
        string? refusal = ProtocolVersion.Refusal(register.ProtocolVersion)
                          ?? (_placement is not { OnPsNodes: true }
                              ? "this run places no key ranges on nodes of role ps (--ps-placement ps-nodes)"
                              : _placement.Placed && _placement.HostedBy(register.WorkerId) is null
                                  ? "every key range of this run is placed on other ps nodes"
                                  : null);
        if (refusal is not null)
        {
            _log.Warning("Refused ps node {Worker} from {Node}: {Reason}", register.WorkerId, register.Node, refusal);
            Sender.Tell(new WorkerRefused(register.WorkerId, refusal));
            return;
        }
        var placement = _placement!;
        if (placement.Placed)
            Sender.Tell(new WorkerAccepted(register.WorkerId, _job, "", placement.HostedBy(register.WorkerId)));
        else if (placement.OfferHost(register.WorkerId, Sender, Sender.Path.Address, register.RangeHostPort) || PlacesShort(placement))
            Place(placement);
    }

    /// <summary>After the wait for workers timed out on a run that goes on, the first host offered takes the ranges (<see cref="WaitedOut"/>).</summary>
    private bool PlacesShort(RangePlacement placement) => _waitedOut && placement.PlaceOnOffered();

    private void Place(RangePlacement placement)
    {
        var servers = placement.Servers!;
        _job = _job with { KeyRangeServers = [.. servers.Select(server => new KeyRangeServer(server.Host, server.Port))] };
        _parameterServer.Tell(new PlaceRanges(servers));
        _log.Information("Key ranges placed on {Nodes}: {Servers}", placement.OnPsNodes ? "ps nodes" : "workers' nodes",
            string.Join(", ", servers.Select(s => $"{s.Range} at {s.Host}:{s.Port}")));
        foreach (var (worker, sender, token) in placement.Release())
            sender.Tell(new WorkerAccepted(worker, _job, token, placement.HostedBy(worker)));
    }

    /// <summary>True when <paramref name="node"/> is this node or an up member of its cluster.</summary>
    private bool IsUpMember(Address node) =>
        node.HasLocalScope || _cluster.State.Members.Any(m => m.Address == node && m.Status == MemberStatus.Up);

    /// <summary>
    /// <paramref name="dropStream"/>: the parameter server closes the worker's data-plane stream, so that nothing queues
    /// for a worker that is not there (an unreachable node may be stopped or cut off). Not when that stream's closing is
    /// the news (a newer stream may already be up), nor for a node that left: it still drains its stream, a result on
    /// its way still counts, and its process closes the stream as it exits (an unreachable one was dropped already).
    /// </summary>
    private void Lose(string workerId, string reason, bool forget, bool dropStream)
    {
        _placement?.Forget(workerId);
        if (!_roster.Lose(workerId, reason, forget)) return;
        if (dropStream) _parameterServer.Tell(new DropWorker(workerId, reason));
        if (_scheduler.Current is { } plan) RetryShards(plan, workerId, $"its worker was lost ({reason})");
    }

    /// <summary>
    /// A rejected result goes where the scheduler says. A malformed or non-finite one counts against its worker at once;
    /// an outlier only once another worker's result for its shard has shown it wrong (<see cref="WrongGradient"/>):
    /// near convergence a few hard rows make a shard's gradient large on any worker.
    /// </summary>
    private void OnShardRejected(ShardRejected rejected)
    {
        bool quarantined = rejected.Verdict != ShardVerdict.Outlier && _roster.Rejected(rejected.WorkerId, rejected.Step);
        CarryOut(_scheduler.Rejected(rejected, _roster.Ready()));
        if (quarantined) RetryShardsOfQuarantined(rejected.WorkerId);
    }

    private void OnWrongGradient(WrongGradient wrong)
    {
        if (_roster.Rejected(wrong.WorkerId, wrong.Step)) RetryShardsOfQuarantined(wrong.WorkerId);
    }

    /// <summary>A worker quarantined has its other shards still out computed elsewhere.</summary>
    private void RetryShardsOfQuarantined(string workerId)
    {
        if (_scheduler.Current is { } plan) RetryShards(plan, workerId, "its worker was quarantined");
    }
}
