using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Worker.Compute;
using DistTrainer.Worker.DataPlane;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Worker.Actors;

/// <summary>
/// A worker node's actor. Joining: registers with every coordinator node that is up (only the active one
/// answers; a standby does not) until accepted, refused, or the registration timeout passes. A node left in a
/// cluster with no coordinator node (its coordinator crashed and was downed, with no standby) leaves it, so that
/// the host starts a fresh node that joins through the seed nodes, where a restarted coordinator is. Preparing: loads the dataset, checks
/// it is the coordinator's, builds the model and connects the tensor data plane (off the actor), within the prepare
/// timeout: past it, the worker withdraws naming the stage it was in and registers again (<see cref="PrepareAttempt"/>).
/// Ready: hands the shards it is assigned to the session's <see cref="ShardQueue"/>, which computes them one
/// at a time on a compute thread as the weights come in; results go back on the data plane. Losing the coordinator or the data plane sends it
/// back to Joining. Supervision: the default (restart) for children; this actor has none.
/// Its acceptance and how the run ended go to the <see cref="WorkerOutcome"/> given to <see cref="Props"/> (the host
/// turns them into a fresh node or an exit code).
/// </summary>
public sealed class WorkerActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    public const string Name = "worker";

    private readonly WorkerSettings _settings;
    private readonly ILogger _log;
    private readonly WorkerOutcome? _outcome;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly WorkerNodeSettings _node = WorkerNodeSettings.Create(Context.System.Settings.Config);
    private readonly DataPlaneOptions _dataPlane;
    private readonly HashSet<Address> _coordinators = [];
    private Address? _coordinatorNode;
    private DateTime? _orphanSince;
    private DateTime _registrationDeadline;
    // Since when this worker has not trained (it started, or lost its session): a registration timeout counts from it, so
    // acceptances that end in failed preparations do not keep a worker that can never train registering for ever.
    private DateTime _untrainedSince;
    // The preparation under way, or the last one: the timer and the coordinator's leaving settle it through this.
    private PrepareAttempt? _preparing;
    private WorkerSession? _session;

    public WorkerActor(WorkerSettings settings, ILogger log, WorkerOutcome? outcome, DataPlaneOptions? dataPlane)
    {
        _settings = settings;
        _dataPlane = dataPlane ?? DataPlaneOptions.Create(Context.System.Settings.Config, PayloadPool.Shared);
        _outcome = outcome;
        _log = log.ForContext("Worker", settings.WorkerId);
        Joining();
    }

    public ITimerScheduler Timers { get; set; } = null!;
    public IStash Stash { get; set; } = null!;

    /// <param name="dataPlane">
    /// The node's data-plane options: its TLS identity, which its streams run with as its remoting does, and its modelled link,
    /// shared with the node's key-range host; null: this system's settings, in clear.
    /// </param>
    public static Props Props(WorkerSettings settings, ILogger log, WorkerOutcome? outcome = null, DataPlaneOptions? dataPlane = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(settings, log, outcome, dataPlane));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
        _untrainedSince = _settings.RegisteringSince ?? DateTime.UtcNow;
        _registrationDeadline = _untrainedSince + _settings.RegistrationTimeout;
        Timers.StartPeriodicTimer("register", RetryRegistration.Instance, _node.RegistrationRetry);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _session?.Dispose();
    }

    private void Joining()
    {
        FollowCoordinators();
        Receive<ClusterEvent.MemberUp>(up =>
        {
            // A coordinator takes a worker's registration only once the worker is up (see CoordinatorActor.Register):
            // this node's own "up" is worth a registration at once, as a coordinator's is.
            if (up.Member.HasRole(ClusterRoles.Coordinator)) _coordinators.Add(up.Member.Address);
            else if (!up.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress)) return;
            Register();
        });
        Receive<RetryRegistration>(_ =>
        {
            if (DateTime.UtcNow > _registrationDeadline)
            {
                Fail($"no coordinator accepted this worker within {_settings.RegistrationTimeout.TotalSeconds:F0} s");
                return;
            }
            LeaveWhenOrphaned();
            Register();
        });
        Receive<WorkerAccepted>(accepted =>
        {
            Timers.Cancel("register");
            _coordinatorNode = Sender.Path.Address;
            _outcome?.Accepted();
            // This node serves these key ranges for the run: its host lets in the parameter server's stream to each.
            foreach (var hosted in accepted.HostedRanges ?? [])
                Context.System.ActorSelection($"/user/{RangeHosting.ActorName}").Tell(new RangeHostActor.ExpectMaster(hosted.Range, hosted.MasterToken));
            if (_settings.RangesOnly)
            {
                _log.Information("Accepted by the coordinator at {Coordinator}; serving key range(s) {Ranges}", Sender.Path.Address,
                    string.Join(", ", (accepted.HostedRanges ?? []).Select(hosted => hosted.Range)));
                Become(Hosting);
                return;
            }
            _log.Information("Accepted by the coordinator at {Coordinator}; preparing {Layers} on {Dataset}",
                Sender.Path.Address, accepted.Job.Layers, accepted.Job.Data.Name);
            var self = Self;
            var attempt = _preparing = new PrepareAttempt();
            Become(Preparing);
            Timers.StartSingleTimer("prepare", PrepareTimedOut.Instance, _node.PrepareTimeout);
            BlockingWork.Run(() => WorkerSession.Open(accepted.Job, accepted.StreamToken, _settings, _node, _dataPlane, self, _log, attempt))
                .ContinueWith(opened =>
                {
                    if (!attempt.TrySettle())
                    {
                        // Given up for by the timeout: this worker has registered again and must not train on it.
                        if (opened.IsCompletedSuccessfully) opened.Result.Dispose();
                        return;
                    }
                    var error = opened.Exception?.InnerException;
                    self.Tell(opened.IsCompletedSuccessfully
                        ? new Prepared(opened.Result)
                        : new PrepareFailed(error?.Message ?? "the session did not open", Transient: error is IOException));
                }, TaskScheduler.Default);
        });
        Receive<WorkerRefused>(refused => Fail($"refused by the coordinator: {refused.Reason}"));
        Receive<ComputeShard>(_ => { });
        Receive<ShardComputeFailed>(_ => { });
        Receive<LinkLost>(_ => { });
    }

    private void Preparing()
    {
        Receive<Prepared>(prepared =>
        {
            Timers.Cancel("prepare");
            _session = prepared.Session;
            _log.Information("Ready: {Parameters} parameters on {Backend}, data plane connected", prepared.Session.Computer.ParameterCount,
                prepared.Session.BackendName);
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<PrepareFailed>(failed =>
        {
            Timers.Cancel("prepare");
            CoordinatorSelection?.Tell(new WorkerWithdrew(_settings.WorkerId, failed.Reason));
            // A data plane that could not be reached is most often a coordinator that died meanwhile: a standby, or the
            // coordinator restarted, accepts this worker again. A dataset or model that does not fit never will.
            if (failed.Transient) GiveUpPreparing($"could not prepare: {failed.Reason}");
            else Fail($"could not prepare: {failed.Reason}");
        });
        Receive<PrepareTimedOut>(_ =>
        {
            // The opening that ended first has its message on the way.
            if (!_preparing!.TrySettle()) return;
            string reason = $"could not prepare within {_node.PrepareTimeout.TotalSeconds:0.#} s: still {_preparing.Stage}";
            CoordinatorSelection?.Tell(new WorkerWithdrew(_settings.WorkerId, reason));
            GiveUpPreparing(reason);
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _coordinators.Remove(removed.Member.Address);
            if (removed.Member.Address != _coordinatorNode || !_preparing!.TrySettle()) return;
            Timers.Cancel("prepare");
            GiveUpPreparing("the coordinator left the cluster while this worker prepared");
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        Receive<ComputeShard>(shard => _session!.Assign(shard));
        Receive<ShardComputeFailed>(failed =>
        {
            var shard = failed.Shard;
            _log.Warning("Step {Step} shard {Shard}: {Reason}", shard.Step + 1, shard.ShardId, failed.Reason);
            CoordinatorSelection?.Tell(new ShardFailed(shard.Step, shard.Attempt, shard.ShardId, _settings.WorkerId, failed.Reason));
        });
        Receive<LinkLost>(lost => Rejoin($"the data plane to the parameter server closed: {lost.Reason}"));
        TakingPart();
    }

    /// <summary>A node of role ps, accepted: its key-range host serves; it follows the run until it ends or its coordinator goes.</summary>
    private void Hosting() => TakingPart();

    /// <summary>What an accepted node follows, whether it computes or only serves key ranges.</summary>
    private void TakingPart()
    {
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _coordinators.Remove(removed.Member.Address);
            if (removed.Member.Address == _coordinatorNode) Rejoin("the coordinator left the cluster");
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.HasRole(ClusterRoles.Coordinator)) _coordinators.Add(up.Member.Address);
        });
        Receive<RetryRegistration>(_ => { });
        // A registration that crossed the acceptance in flight is accepted again: this node already takes part.
        Receive<WorkerAccepted>(_ => { });
        Receive<TrainingFinished>(finished =>
        {
            _log.Information("Training finished ({Outcome}); leaving the cluster", finished.Outcome);
            _outcome?.Finished();
            _cluster.Leave(_cluster.SelfAddress);
            Context.Stop(Self);
        });
    }

    private ActorSelection? CoordinatorSelection =>
        _coordinatorNode is null ? null : Context.ActorSelection(new RootActorPath(_coordinatorNode) / "user" / ActorNames.Coordinator);

    /// <summary>The coordinator nodes up in the cluster, while joining (Ready follows them with its own handlers).</summary>
    private void FollowCoordinators() =>
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _coordinators.Remove(removed.Member.Address);
            if (removed.Member.Address == _coordinatorNode) _coordinatorNode = null;
        });

    /// <summary>
    /// Which coordinator is active is the coordinators' business: the registration goes to each, and the one that accepts
    /// is this worker's coordinator from then on.
    /// </summary>
    private void Register()
    {
        var register = new RegisterWorker(_settings.WorkerId, ProtocolVersion.Current, _settings.ExpectedLayers,
            _cluster.SelfAddress.ToString(), _settings.Device, _settings.RangeHostPort, _settings.RangesOnly);
        foreach (var node in _coordinators)
            Context.ActorSelection(new RootActorPath(node) / "user" / ActorNames.Coordinator).Tell(register);
    }

    /// <summary>
    /// Leaves a cluster this node is up in that has had no coordinator node for the orphan timeout: no coordinator can
    /// join it (a restarted one founds its own cluster at the seed nodes), so the host starts a fresh node that joins there.
    /// </summary>
    private void LeaveWhenOrphaned()
    {
        bool up = _cluster.SelfMember.Status == MemberStatus.Up;
        if (!up || _coordinators.Count > 0)
        {
            _orphanSince = null;
            return;
        }
        _orphanSince ??= DateTime.UtcNow;
        if (DateTime.UtcNow - _orphanSince < _node.OrphanTimeout) return;
        _log.Information("Worker {Worker}: no coordinator node in this cluster for {Seconds:F0} s; leaving it to join again through the seed nodes",
            _settings.WorkerId, _node.OrphanTimeout.TotalSeconds);
        Timers.Cancel("register");
        _cluster.Leave(_cluster.SelfAddress);
    }

    private void Rejoin(string reason)
    {
        _untrainedSince = DateTime.UtcNow;
        RegisterAgain(reason);
    }

    /// <summary>Back to joining from a preparation that will not end in a session; the messages it held back follow.</summary>
    private void GiveUpPreparing(string reason)
    {
        RegisterAgain(reason);
        Stash.UnstashAll();
    }

    private void RegisterAgain(string reason)
    {
        _log.Warning("{Reason}; registering again", reason);
        _session?.Dispose();
        _session = null;
        _registrationDeadline = _untrainedSince + _settings.RegistrationTimeout;
        Timers.StartPeriodicTimer("register", RetryRegistration.Instance, _node.RegistrationRetry);
        Become(Joining);
    }

    private void Fail(string reason)
    {
        _log.Error("Worker {Worker} stops: {Reason}", _settings.WorkerId, reason);
        _outcome?.GaveUp(reason);
        Context.System.Terminate();
    }

    private sealed class RetryRegistration
    {
        public static readonly RetryRegistration Instance = new();
    }

    private sealed record Prepared(WorkerSession Session) : INoSerializationVerificationNeeded;

    /// <param name="Transient">The data plane could not be reached (the coordinator may have died): worth registering again.</param>
    private sealed record PrepareFailed(string Reason, bool Transient);

    private sealed class PrepareTimedOut
    {
        public static readonly PrepareTimedOut Instance = new();
    }
}
