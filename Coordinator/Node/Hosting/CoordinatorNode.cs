using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Core;
using DistTrainer.Core.Data;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.KeyRanges;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Core.Training.WireFormat;
using Serilog;

namespace DistTrainer.Coordinator.Hosting;

/// <summary>
/// The coordinator node of a run: its actor system (role coordinator), the parameter server with
/// its data-plane listener, and the coordinator actor. With no seed nodes it founds the cluster
/// itself (the embedded default); otherwise it joins through them.
/// </summary>
public sealed class CoordinatorNode : IAsyncDisposable
{
    private readonly TaskCompletionSource<DistributedRunReport> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServerStateAtStop _stateAtStop = new();
    private readonly NodeLifecycleSettings _lifecycle;
    private readonly ILogger _log;
    private ActiveCoordinatorProbe? _otherCoordinators;

    private CoordinatorNode(ActorSystem system, NodeLifecycleSettings lifecycle, ILogger log)
    {
        System = system;
        _lifecycle = lifecycle;
        _log = log;
        Settings = CoordinatorNodeSettings.Create(system.Settings.Config);
    }

    public ActorSystem System { get; }

    /// <summary>The time limits of this node's configuration.</summary>
    public CoordinatorNodeSettings Settings { get; }

    public IActorRef ParameterServer { get; private set; } = ActorRefs.Nobody;
    public IActorRef Coordinator { get; private set; } = ActorRefs.Nobody;
    public Task<DistributedRunReport> Completion => _completion.Task;

    /// <summary>
    /// Joins the cluster of the first of <paramref name="others"/> that is in one, or founds one on this node when none
    /// answers within the seed node timeout (Akka's process for a first seed node that restarts); with none, founds it
    /// at once.
    /// </summary>
    private static void FoundOrJoin(Akka.Cluster.Cluster cluster, IReadOnlyList<string> others)
    {
        var self = cluster.SelfAddress;
        var asked = others.Select(Address.Parse).Where(address => address != self).Distinct().ToList();
        if (asked.Count == 0) cluster.Join(self);
        else cluster.JoinSeedNodes([self, .. asked]);
    }

    /// <summary>The address workers use as their seed node.</summary>
    public string SeedNode => Akka.Cluster.Cluster.Get(System).SelfAddress.ToString();

    /// <summary>The seed nodes this node was configured with, its options' or the environment's (none: it founded the cluster).</summary>
    public IReadOnlyList<string> ConfiguredSeedNodes => [.. System.Settings.Config.GetStringList("akka.cluster.seed-nodes", [])];

    /// <summary>
    /// Starts the node; the job in <paramref name="settings"/> gets the data plane's bound port. A node without seed
    /// nodes founds the cluster. Given <paramref name="foundUnlessJoined"/>, the node's own seed nodes are set aside: it
    /// asks those nodes and joins their cluster if one of them is in one, and founds its own only when none answers (a
    /// fresh node after its last one was removed: the node it joined through may have gone with it).
    /// </summary>
    public static CoordinatorNode Start(ClusterNodeOptions node, string dataPlaneHost, int dataPlanePort,
        CoordinatorSettings settings, ParameterServerSettings serverSettings, BatchRunner evaluator, Dataset? test,
        IOptimizer optimizer, ITrainingObserver observer, ILogger log, Akka.Configuration.Config? overrides = null,
        IReadOnlyList<string>? foundUnlessJoined = null)
    {
        // An empty list, not null: null would fall back to the environment's seed nodes.
        var seeds = foundUnlessJoined is null ? node.SeedNodes : [];
        var system = ClusterNode.Start(node with { Roles = [ClusterRoles.Coordinator], SeedNodes = seeds }, log, overrides);
        // Read before anything else starts, so that even a node whose settings are unusable is stopped within its bound.
        var lifecycle = NodeLifecycleSettings.Create(system.Settings.Config);
        ActiveCoordinatorProbe? otherCoordinators = null;
        try
        {
            var result = new CoordinatorNode(system, lifecycle, log.ForContext("Role", ClusterRoles.Coordinator));
            if (seeds is not { Count: > 0 })
                FoundOrJoin(Akka.Cluster.Cluster.Get(system), foundUnlessJoined ?? []);
            IActorRef server = ActorRefs.Nobody;
            // A shard result (every gradient and batch-norm statistic) is the largest frame a worker sends:
            // a header announcing more is refused before a byte of it is read. The node's TLS identity guards both planes.
            var dataPlane = DataPlaneOptions.Create(system.Settings.Config, tls: node.Tls) with
            {
                MaxPayloadBytes = ShardPayloadLayout.Of(evaluator.Model).Length * sizeof(float),
            };
            var listener = new TensorListener(dataPlaneHost, dataPlanePort,
                connection => server.Tell(new ParameterServerActor.DataPlaneConnected(connection)),
                refusal => log.Warning("Data plane: refused a connection: {Reason}", refusal),
                dataPlane, result._log);
            // Ranges on workers' nodes travel on streams of their own by nature; in this node, only when configured so.
            bool rangeStreams = (result.Settings.PsRangeStreams || serverSettings.RangesOnOtherNodes) && serverSettings.Shards > 1;
            // With key ranges on streams of their own, each range is served by a host of its own, in this node for now.
            IReadOnlyList<RangeEndpoint> rangeHosts = [];
            if (rangeStreams && !serverSettings.RangesOnOtherNodes)
            {
                var (host, port) = RangeHosting.Start(system, dataPlaneHost, dataPlane, result._log, Dispatchers.ParameterServer);
                rangeHosts = RangeHosting.ServeAll(host, settings.Job.DataPlaneHost, port, serverSettings.Shards);
            }
            serverSettings = serverSettings with
            {
                RangeHosts = rangeHosts,
                ConnectTimeout = result.Settings.PsRangeConnectTimeout,
                Retry = result.Settings.CheckpointRetry,
                RangeTimeout = result.Settings.PsRangeTimeout,
                PlansAhead = result.Settings.PlansAhead,
                StateAtStop = result._stateAtStop,
                RangeStreams = rangeStreams,
            };
            server = system.ActorOf(ParameterServerActor.Props(serverSettings, evaluator, test, optimizer, listener, result._log)
                    .WithDispatcher(Dispatchers.ParameterServer),
                ParameterServerActor.Name);
            settings = settings with
            {
                Job = settings.Job with
                {
                    DataPlanePort = listener.Port,
                    KeyRangeCuts = rangeStreams ? ParameterRanges.Cuts(evaluator.Model.ParameterCount, serverSettings.Shards) : null,
                    // On workers' nodes, the coordinator names them once placed.
                    KeyRangeServers = rangeHosts.Count > 0 ? [.. rangeHosts.Select(host => new KeyRangeServer(host.Host, host.Port))] : null,
                },
                Quarantine = result.Settings.Quarantine,
                PlansAhead = result.Settings.PlansAhead
            };
            result.ParameterServer = server;
            if (settings.OtherCoordinators is { Count: > 0 } others)
            {
                var standby = StandbySettings.Create(system.Settings.Config);
                settings = settings with { OtherCoordinatorsAskEvery = standby.ActiveProbeInterval };
                result._otherCoordinators = otherCoordinators = ActiveCoordinatorProbe.Start(node, others, standby.ActiveProbeTimeout, log, overrides);
            }
            result.Coordinator = system.ActorOf(CoordinatorActor.Props(settings, server, observer, result._completion, result._log,
                    otherCoordinators),
                ActorNames.Coordinator);
            log.Information("Coordinator node {Node} up; data plane on {Host}:{Port}; parameter server in {PsShards} key ranges (--ps-shards)",
                result.SeedNode, settings.Job.DataPlaneHost, listener.Port, serverSettings.Shards);
            return result;
        }
        catch
        {
            otherCoordinators?.DisposeAsync().AsTask().Wait(lifecycle.LeaveTimeout + lifecycle.TerminateTimeout);
            system.Terminate().Wait(lifecycle.TerminateTimeout);
            throw;
        }
    }

    /// <summary>
    /// For a node stopped under its run (removed from the cluster): waits, bounded, for its actor system to end, and returns
    /// the step whose state the parameter server left in the run's model and optimizer as it stopped; null when it left
    /// none that can be trusted, or the system did not end in time.
    /// </summary>
    public long? StateLeftAtStop()
    {
        if (!System.WhenTerminated.Wait(_lifecycle.TerminateTimeout)) return null;
        var step = _stateAtStop.Step;
        return step.Wait(_lifecycle.TerminateTimeout) ? step.Result : null;
    }

    /// <summary>Asks the parameter server to write the final weights into the evaluation model; bounded by <paramref name="timeout"/>.</summary>
    public async Task<ModelExported> ExportModelAsync(TimeSpan timeout) =>
        await ParameterServer.Ask<ModelExported>(ExportModel.Instance, timeout);

    /// <summary>
    /// Asks the parameter server to write a checkpoint; bounded by <paramref name="timeout"/>, past which the answer is an
    /// error (a write still under way on a stalled disk, say), not an exception.
    /// </summary>
    public async Task<CheckpointSaved> SaveAsync(string path, TimeSpan timeout)
    {
        try
        {
            return await ParameterServer.Ask<CheckpointSaved>(new SaveCheckpoint(path), timeout);
        }
        catch (AskTimeoutException)
        {
            return new CheckpointSaved(path, -1, $"not written within {timeout.TotalSeconds:0.#} s (disttrainer.coordinator.save-timeout): " +
                                                 "the parameter server did not answer, or a checkpoint write before it is still under way (a stalled disk?)");
        }
    }

    /// <summary>
    /// Waits, bounded, for the worker nodes to leave first: the coordinator is the oldest node, and
    /// when it goes first every worker sees its association fail instead of a clean exit. Unreachable
    /// workers are not waited for, and those that stay up past the silent-worker probe without answering it are downed.
    /// </summary>
    private async Task WorkersLeftAsync(Akka.Cluster.Cluster cluster, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var probeAt = DateTime.UtcNow + Settings.SilentWorkerProbe;
        bool probed = false;
        IEnumerable<Akka.Cluster.Member> ReachableWorkers() =>
            cluster.State.Members.Where(m => m.HasRole(ClusterRoles.Worker) && !cluster.State.Unreachable.Contains(m));
        while (ReachableWorkers().Any())
        {
            if (DateTime.UtcNow >= deadline)
            {
                _log.Warning("Worker nodes still in the cluster {Timeout} s after the run ended; leaving anyway", timeout.TotalSeconds);
                return;
            }
            // Not awaited: the leave goes on as soon as the silent nodes are downed, or as the others leave meanwhile.
            if (!probed && DateTime.UtcNow >= probeAt)
            {
                probed = true;
                _ = DownSilentWorkersAsync(cluster, ReachableWorkers().Where(m => m.Status == Akka.Cluster.MemberStatus.Up).ToList());
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Asks each of <paramref name="members"/>' worker actor whether it is there and downs the node of each that does not
    /// answer within the probe's time, or whose answer comes from dead letters (Akka's answer for an address it cannot
    /// reach): a process that died in the run's last seconds. A node alive but slow was told the run is over before it was
    /// asked (one association delivers in order), so it stops as if it had left.
    /// </summary>
    private async Task DownSilentWorkersAsync(Akka.Cluster.Cluster cluster, IReadOnlyList<Akka.Cluster.Member> members)
    {
        await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                var identity = await System.ActorSelection(new RootActorPath(member.Address) / "user" / ActorNames.Worker)
                    .Ask<ActorIdentity>(new Identify(null), Settings.SilentWorkerProbe);
                if (identity.Subject is not null) return;
            }
            catch (AskTimeoutException)
            {
            }
            _log.Information("Downing worker node {Node}: no worker answered there after the run ended", member.Address);
            cluster.Down(member.Address);
        }));
    }

    /// <summary>
    /// Leaves the cluster and stops without telling anyone that the run is over, so that its workers join a fresh coordinator
    /// node (a rollback after a key range's server was lost); then returns, as <see cref="StateLeftAtStop"/> does, the step
    /// whose state the parameter server left in the run's model and optimizer as it stopped.
    /// </summary>
    public long? LeaveForFreshNode()
    {
        DownUnreachableWorkers(Akka.Cluster.Cluster.Get(System), "as it leaves for a fresh node");
        NodeLifecycle.LeaveAsync(System, _log).GetAwaiter().GetResult();
        return StateLeftAtStop();
    }

    /// <summary>
    /// Rolls the run back on a fresh node of this process: tells every standby coordinator in the cluster, which would otherwise
    /// take the run over once this node is gone, to stand by for that node instead, then leaves as <see cref="LeaveForFreshNode"/>
    /// does. Returns the step it rolls back to (null: none) and the standbys' addresses: the fresh node joins their cluster
    /// through them, where the workers still are (they count a standby as a coordinator node and so never leave for the seed
    /// nodes, where a fresh node founding a cluster of its own would wait for them).
    /// </summary>
    public (long? Step, IReadOnlyList<string> Standbys) LeaveForRollback()
    {
        var standbys = StandbysUp();
        foreach (var standby in standbys)
        {
            _log.Information("Telling standby coordinator {Standby} to stand by for this coordinator's fresh node", standby);
            System.ActorSelection(new RootActorPath(standby) / "user" / ActorNames.Coordinator)
                .Tell(new RollingBackOnFreshNode(SeedNode), Coordinator);
        }
        return (LeaveForFreshNode(), [.. standbys.Select(standby => standby.ToString())]);
    }

    /// <summary>
    /// Leaves the run to the standby coordinators, which take it over once this node is gone, and returns their addresses:
    /// the process stands by for the run through them.
    /// </summary>
    public IReadOnlyList<string> LeaveForStandby()
    {
        var standbys = StandbysUp();
        LeaveForFreshNode();
        return [.. standbys.Select(standby => standby.ToString())];
    }

    private List<Address> StandbysUp() =>
        Akka.Cluster.Cluster.Get(System).State.Members
            .Where(member => member.HasRole(ClusterRoles.Standby) && member.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp)
            .Select(member => member.Address).ToList();

    /// <summary>
    /// Tells every worker node, and every standby coordinator (which would otherwise take over once this node is gone), that
    /// the run is over; then leaves the cluster and stops, each step bounded in time.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // Stopped already when the run took its first step.
        if (_otherCoordinators is not null) await _otherCoordinators.DisposeAsync();
        // A node the cluster removed has stopped already: there is nobody left to tell and nothing to leave.
        if (System.WhenTerminated.IsCompleted) return;
        var cluster = Akka.Cluster.Cluster.Get(System);
        foreach (var member in cluster.State.Members.Where(m => m.Address != cluster.SelfAddress))
        {
            string? actor = member.HasRole(ClusterRoles.Worker) ? ActorNames.Worker : member.HasRole(ClusterRoles.Coordinator) ? ActorNames.Coordinator : null;
            if (actor is not null) System.ActorSelection(new RootActorPath(member.Address) / "user" / actor).Tell(new TrainingFinished("done"));
        }
        await WorkersLeftAsync(cluster, Settings.WorkersLeaveTimeout);
        DownUnreachableWorkers(cluster, "at the end of the run");
        await NodeLifecycle.LeaveAsync(System, _log);
    }

    /// <summary>
    /// A worker that died without leaving would hold up this node's own leaving until the split-brain resolver downs it
    /// (seconds, or all nodes after a leader change); this node's part of the run is over, so it downs it now.
    /// </summary>
    private void DownUnreachableWorkers(Akka.Cluster.Cluster cluster, string when)
    {
        foreach (var member in cluster.State.Unreachable.Where(m => m.HasRole(ClusterRoles.Worker)))
        {
            _log.Information("Downing unreachable worker node {Node} {When}", member.Address, when);
            cluster.Down(member.Address);
        }
    }
}
