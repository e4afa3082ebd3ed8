using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// A standby coordinator's actor, at the coordinator's path so that workers' registrations reach it: it accepts none
/// (it does not train). Standing by: registers with the active coordinator (on a timer, until accepted) and keeps the
/// snapshot stream it is given (<see cref="SnapshotReceiver"/>), which writes each periodic checkpoint to the state file;
/// waits until its node is up, no active coordinator node is in the cluster (it crashed or was cut off, and the split-brain
/// resolver removed it) and no older standby is (<see cref="CoordinatorSuccession"/>), then closes the stream and completes the takeover with true; the active
/// coordinator's word that the run is over completes it with false. An active coordinator that rolls back on a fresh node of its own
/// (it knew no standby to hand the run to) says so before it leaves: the standby then waits for that node, up to
/// <see cref="StandbySettings.FreshNodeWait"/>, and stands by for it. Handing over: once the node that takes over is up
/// (it joins through this one; a coordinator without the standby role), this node leaves the cluster.
/// </summary>
public sealed class StandbyActor : ReceiveActor, IWithTimers
{
    private const string RegisterTimer = "register";
    private const string FreshNodeTimer = "fresh node";

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly CoordinatorSuccession _succession;
    private readonly TaskCompletionSource<bool> _takeover;
    private readonly StandbySettings _settings;
    private readonly StandbyState? _state;
    private readonly ILogger _log;
    private SnapshotReceiver? _receiver;
    private bool _connecting;

    public StandbyActor(TaskCompletionSource<bool> takeover, StandbySettings settings, StandbyState? state, ILogger log)
    {
        _takeover = takeover;
        _settings = settings;
        _state = state;
        _log = log;
        _succession = new CoordinatorSuccession(_cluster.SelfUniqueAddress);
        StandingBy();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="state">Where and how to keep the active coordinator's snapshots; null keeps none (no --save to name the file).</param>
    public static Props Props(TaskCompletionSource<bool> takeover, StandbySettings settings, StandbyState? state, ILogger log) =>
        Akka.Actor.Props.Create(() => new StandbyActor(takeover, settings, state, log));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent),
            typeof(ClusterEvent.ClusterShuttingDown));
        if (_state is not null) Timers.StartPeriodicTimer(RegisterTimer, Register.Instance, _state.Settings.RegistrationRetry);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _receiver?.Dispose();
        _takeover.TrySetException(new InvalidOperationException("the standby's node stopped before it took over"));
    }

    private void StandingBy()
    {
        Receive<ClusterEvent.IMemberEvent>(change =>
        {
            bool held = _succession.HeldForFreshNode;
            _succession.Apply(change);
            if (held && !_succession.HeldForFreshNode)
            {
                Timers.Cancel(FreshNodeTimer);
                _log.Information("Standby coordinator {Node}: the active coordinator's fresh node {Fresh} joined; standing by for it",
                    _cluster.SelfAddress, change.Member.Address);
            }
            TakeOverIfTurnHasCome();
        });
        Receive<ClusterEvent.ClusterShuttingDown>(_ => _succession.ShuttingDown());
        Receive<RollingBackOnFreshNode>(rolling =>
        {
            if (!_succession.ActiveCoordinators.Contains(Sender.Path.Address))
            {
                _log.Warning("Standby coordinator {Node}: ignoring word of a rollback from {Sender}, which is no active coordinator node",
                    _cluster.SelfAddress, Sender.Path.Address);
                return;
            }
            _succession.HoldForFreshNode();
            Timers.StartSingleTimer(FreshNodeTimer, FreshNodeOverdue.Instance, _settings.FreshNodeWait);
            _log.Information("Standby coordinator {Node}: the active coordinator {Active} rolls the run back on a fresh node; standing by " +
                             "for that node for up to {Seconds:F0} s (fresh-node-wait)", _cluster.SelfAddress, rolling.Node, _settings.FreshNodeWait.TotalSeconds);
        });
        Receive<FreshNodeOverdue>(_ =>
        {
            _succession.ReleaseHold();
            _log.Warning("Standby coordinator {Node}: no fresh node of the rolling-back active coordinator joined within {Seconds:F0} s " +
                         "(fresh-node-wait); its loss counts as any coordinator's", _cluster.SelfAddress, _settings.FreshNodeWait.TotalSeconds);
            TakeOverIfTurnHasCome();
        });
        Receive<TrainingFinished>(finished =>
        {
            _log.Information("Standby coordinator {Node}: the active coordinator ended the run ({Outcome})", _cluster.SelfAddress, finished.Outcome);
            _takeover.TrySetResult(false);
        });
        ReceiveSnapshotStream();
        IgnoreRegistrations();
    }

    private void TakeOverIfTurnHasCome()
    {
        if (!_succession.TurnHasCome) return;
        _log.Information("Standby coordinator {Node}: no active coordinator node and no older standby is left in the cluster; taking over", _cluster.SelfAddress);
        // The stream closes before the takeover reads the state file, so no snapshot is being written as it does.
        Timers.CancelAll();
        _receiver?.Dispose();
        _receiver = null;
        _takeover.TrySetResult(true);
        Become(HandingOver);
    }

    private void ReceiveSnapshotStream()
    {
        Receive<Register>(_ =>
        {
            var register = new RegisterStandby(_cluster.SelfAddress.ToString(), ProtocolVersion.Current);
            foreach (var coordinator in _succession.ActiveCoordinators)
                Context.ActorSelection(new RootActorPath(coordinator) / "user" / ActorNames.Coordinator).Tell(register);
        });
        Receive<StandbyAccepted>(Connect);
        Receive<StandbyRefused>(refused =>
        {
            Timers.Cancel(RegisterTimer);
            _log.Warning("Standby coordinator {Node}: the active coordinator sends it no state ({Reason}); a takeover resumes from the --save file alone",
                _cluster.SelfAddress, refused.Reason);
        });
        Receive<StreamOpened>(opened =>
        {
            _connecting = false;
            _receiver = opened.Receiver;
            _log.Information("Standby coordinator {Node}: receiving the active coordinator's checkpoints into {Path}", _cluster.SelfAddress, _receiver.Path);
            if (_receiver.Closed) StreamClosed("it closed as it opened");
        });
        Receive<StreamFailed>(failed =>
        {
            _connecting = false;
            _log.Warning("Standby coordinator {Node}: could not connect its snapshot stream: {Reason}", _cluster.SelfAddress, failed.Reason);
            Timers.StartPeriodicTimer(RegisterTimer, Register.Instance, _state!.Settings.RegistrationRetry);
        });
        Receive<ConnectionClosed>(closed =>
        {
            if (_receiver is { Closed: true }) StreamClosed(closed.Message);
        });
    }

    private void Connect(StandbyAccepted accepted)
    {
        if (_state is null || _receiver is not null || _connecting) return;
        _connecting = true;
        Timers.Cancel(RegisterTimer);
        var self = Self;
        var state = _state;
        var log = _log;
        BlockingWork.Run(() => SnapshotReceiver.Connect(accepted, state.Path, state.Settings, state.DataPlane, log, closed => self.Tell(closed)))
            .PipeTo(self, success: receiver => new StreamOpened(receiver), failure: e => new StreamFailed(e.GetBaseException().Message));
    }

    /// <summary>The active coordinator went (the cluster says so in its time) or closed the stream: ask it again while it is there.</summary>
    private void StreamClosed(string reason)
    {
        _log.Information("Standby coordinator {Node}: the snapshot stream closed ({Reason}); registering again while an active coordinator is there",
            _cluster.SelfAddress, reason);
        _receiver!.Dispose();
        _receiver = null;
        Timers.StartPeriodicTimer(RegisterTimer, Register.Instance, _state!.Settings.RegistrationRetry);
    }

    private void HandingOver()
    {
        Receive<ClusterEvent.MemberUp>(up =>
        {
            // Another standby coming up is not the successor: leaving for it would leave the workers no coordinator.
            if (!CoordinatorSuccession.IsActiveCoordinator(up.Member)) return;
            _log.Information("Standby coordinator {Node}: {Successor} is up; leaving the cluster to it", _cluster.SelfAddress, up.Member.Address);
            _cluster.Leave(_cluster.SelfAddress);
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<StreamOpened>(opened => opened.Receiver.Dispose());
        ReceiveAny(_ => { });
    }

    private void IgnoreRegistrations()
    {
        Receive<RegisterWorker>(register =>
            _log.Debug("Standby coordinator: not accepting worker {Worker}; the active coordinator does", register.WorkerId));
        Receive<RegisterStandby>(register =>
            _log.Debug("Standby coordinator: not sending state to standby {Standby}; the active coordinator does", register.Node));
    }

    private sealed class Register
    {
        public static readonly Register Instance = new();
    }

    private sealed class FreshNodeOverdue
    {
        public static readonly FreshNodeOverdue Instance = new();
    }

    private sealed record StreamOpened(SnapshotReceiver Receiver) : INoSerializationVerificationNeeded;

    private sealed record StreamFailed(string Reason);
}
