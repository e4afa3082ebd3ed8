using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Placement;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Core.Training;
using Serilog;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// Runs the schedule of a run through its phases, wiring messages to the worker roster (who takes part),
/// the step scheduler (who computes what) and the run meter (what the run counts and reports). Waiting:
/// registers workers until the expected number have their data plane connected, or the wait times out.
/// Training: sends each step's plan (and the next ones ahead) to the parameter server and the workers; a
/// shard that is rejected, fails, misses its deadline, or whose worker is lost goes where the scheduler
/// says. Evaluating: at each epoch's end the parameter server scores the test set. Supervision: the
/// parameter server (a sibling) is not restarted: a crash there ends the run, which resumes from its
/// newest checkpoint.
/// </summary>
public sealed partial class CoordinatorActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private static readonly Type[] StepReportTypes = [typeof(ShardArrived), typeof(ShardRejected), typeof(WrongGradient), typeof(ShardFailed), typeof(StepApplied), typeof(StepFailed), typeof(ModelEvaluated)];
    private static readonly Type[] StaleTypes = [typeof(ShardDeadline), typeof(ShardArrived), typeof(ShardRejected), typeof(WrongGradient), typeof(ShardFailed), typeof(WaitTimedOut), typeof(OtherCoordinatorsAnswered)];

    private readonly CoordinatorSettings _settings;
    // The job every accepted worker gets: the settings' one, with the key ranges' servers once placed on workers' nodes.
    private TrainingJob _job;
    private readonly RangePlacement? _placement;
    private readonly IActorRef _parameterServer;
    private readonly ActiveCoordinatorProbe? _otherCoordinators;
    private readonly ITrainingObserver _observer;
    private readonly TaskCompletionSource<DistributedRunReport> _completion;
    private readonly ILogger _log;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly WorkerRoster _roster;
    private readonly StepScheduler _scheduler;
    private readonly RunMeter _meter;
    private readonly DistributedRunTally _tally = new();
    private bool _stopRequested;
    // A node's cluster that shuts down (this node downed or leaving) publishes a removal of every member: those are this
    // node's end, not the loss of a standby or of a range's node.
    private bool _clusterShuttingDown;
    // The wait for the expected workers timed out on a run that goes on: it trains with fewer (WaitedOut).
    private bool _waitedOut;

    public CoordinatorActor(CoordinatorSettings settings, IActorRef parameterServer, ITrainingObserver observer,
        TaskCompletionSource<DistributedRunReport> completion, ILogger log, ActiveCoordinatorProbe? otherCoordinators = null)
    {
        _otherCoordinators = otherCoordinators;
        _settings = settings;
        _job = settings.Job;
        _placement = settings.PlacedRanges > 0 ? new RangePlacement(settings.PlacedRanges, settings.RangesOnPsNodes, settings.RangeNodes) : null;
        _parameterServer = parameterServer;
        _observer = observer;
        _completion = completion;
        _log = log;
        _roster = new WorkerRoster(settings.Job.Layers, log, settings.Quarantine);
        _scheduler = new StepScheduler(settings, log);
        _meter = new RunMeter(_scheduler.BatchesPerEpoch, settings.FirstStep, settings.Steps, settings.Epochs, settings.Normalizer,
            observer, log);
        Waiting();
    }

    public ITimerScheduler Timers { get; set; } = null!;
    public IStash Stash { get; set; } = null!;

    /// <param name="otherCoordinators">A first coordinator's question to the other coordinators, asked until its first step; none for any other run.</param>
    public static Props Props(CoordinatorSettings settings, IActorRef parameterServer, ITrainingObserver observer,
        TaskCompletionSource<DistributedRunReport> completion, ILogger log, ActiveCoordinatorProbe? otherCoordinators = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(settings, parameterServer, observer, completion, log, otherCoordinators));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved),
            typeof(ClusterEvent.ClusterShuttingDown));
        Timers.StartSingleTimer("wait", WaitTimedOut.Instance, _settings.WorkerWaitTimeout);
        // The run cannot go on without it: a parameter server that stops before the run ends ends the run.
        if (!_parameterServer.IsNobody()) Context.Watch(_parameterServer);
        _log.Information("Waiting for {Workers} workers (at most {Seconds:F0} s)", _settings.ExpectWorkers,
            _settings.WorkerWaitTimeout.TotalSeconds);
        StartAskingOthers();
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        if (_completion.Task.IsCompleted) return;
        _completion.TrySetException(new CoordinatorStoppedException(_standbyTokens.Count > 0, Report(null, interrupted: false, FailureKind.Cluster)));
    }

    private void Waiting()
    {
        // Before Membership's handlers, which would take these messages first: here each may make enough workers ready.
        Receive<WorkerConnected>(connected =>
        {
            if (!_roster.Connect(connected.WorkerId)) return;
            _log.Information("Worker {Worker} is ready ({Ready} of {Expected})", connected.WorkerId, _roster.Ready().Count, _settings.ExpectWorkers);
            StartWhenReady();
        });
        Receive<ClusterEvent.ReachableMember>(reachable =>
        {
            _roster.Reachable(reachable.Member.Address);
            StartWhenReady();
        });
        Membership();
        Receive<WaitTimedOut>(_ => WaitedOut());
        Receive<StopTraining>(_ => Finish(null, interrupted: true));
        ReceiveServerFailures();
        StandDownForAnotherCoordinator();
        StashStepReports();
        IgnoreStale();
    }

    /// <summary>
    /// Training starts (or goes on) once the expected workers are ready, or any one is after the run has begun or once the
    /// wait for the others is over.
    /// </summary>
    private void StartWhenReady()
    {
        int ready = _roster.Ready().Count;
        if (ready < _settings.ExpectWorkers && (_tally.StepsApplied == 0 && !_waitedOut || ready == 0)) return;
        Timers.Cancel("wait");
        StopAskingOthers();
        Stash.UnstashAll();
        _meter.TrainingBegins();
        Become(Training);
        StartStep();
    }

    /// <summary>
    /// The wait for workers is over. A new run ends: fewer workers than it expects is a setup to report, not to train on. A
    /// run this node goes on with (a rollback's fresh node, a --resume) goes on with the workers it has, since a node lost
    /// for good must not end it: its key ranges, still waiting for as many hosts as the run had, go on the hosts offered so
    /// far, and training starts with the first worker ready, within one more wait. Which workers compute and which nodes
    /// serve the ranges changes no result.
    /// </summary>
    private void WaitedOut()
    {
        bool goesOn = _tally.StepsApplied > 0 || _settings.FirstStep > 0;
        int ready = _roster.Ready().Count;
        if (goesOn && !_waitedOut && (ready > 0 || _placement is { Placed: false }))
        {
            _waitedOut = true;
            _log.Warning("Only {Ready} of {Expected} workers were ready within {Seconds:F0} s; the run goes on from step {Step} with the workers it has",
                ready, _settings.ExpectWorkers, _settings.WorkerWaitTimeout.TotalSeconds, _meter.Step);
            if (_placement is { Placed: false } placement && PlacesShort(placement)) Place(placement);
            Timers.StartSingleTimer("wait", WaitTimedOut.Instance, _settings.WorkerWaitTimeout);
            StartWhenReady();
            return;
        }
        Finish($"only {ready} of {_settings.ExpectWorkers} workers were ready within {_settings.WorkerWaitTimeout.TotalSeconds:F0} s",
            FailureKind.Cluster);
    }

    private void Training()
    {
        Running();
        Receive<ShardArrived>(arrived =>
        {
            if (_scheduler.Arrived(arrived)) _roster.ShardComputed(arrived.WorkerId, arrived.Rows, arrived.ComputeSeconds);
        });
        Receive<ShardRejected>(OnShardRejected);
        Receive<WrongGradient>(OnWrongGradient);
        Receive<ShardFailed>(failed =>
            CarryOut(_scheduler.Retry(failed.Step, failed.Attempt, failed.ShardId, failed.WorkerId, failed.Reason, _roster.Ready())));
        Receive<ShardDeadline>(deadline =>
        {
            if (_scheduler.Current is { } plan && deadline.Step == plan.Step && deadline.Attempt == plan.Attempt)
                RetryShards(plan, null, $"no result within {_settings.ShardDeadline.TotalSeconds:F0} s");
        });
        Receive<StepApplied>(OnStepApplied);
        Receive<StepFailed>(failed => Finish(failed.Reason, FailureKind.NotFinite));
        IgnoreStale();
    }

    private void Evaluating()
    {
        Running();
        Receive<ModelEvaluated>(evaluated =>
        {
            _meter.CloseEpoch(() => evaluated.Test);
            Stash.UnstashAll();
            Become(Training);
            Continue();
        });
        StashStepReports();
        IgnoreStale();
    }

    /// <summary>A periodic checkpoint the parameter server could not write, retries included, ends the run: it would go on unprotected.</summary>
    private void ReceiveServerFailures()
    {
        Receive<CheckpointFailed>(failed => Finish(failed.Reason, FailureKind.Checkpoint));
        // A key range's server lost: the weights cannot be put together any more, so this node's part of the run ends, and the
        // run goes on from the last state gathered from every range: on a fresh node of this process, or, when a standby
        // registered (it takes over as this node leaves), on the standby, from the newest checkpoint it was sent.
        Receive<RangeFailed>(failed =>
        {
            DownRangeNode(failed.Range);
            Finish(failed.Reason, FailureKind.RangeLost);
        });
        Receive<ParameterServerFailed>(failed => Finish(failed.Reason, FailureKind.ParameterServer));
        // Not as this node goes down (downed, or leaving): the actor system then stops the parameter server beside this actor,
        // whose own stop says how the run went (CoordinatorStoppedException: a fresh node, or the standby, goes on).
        Receive<Terminated>(stopped => stopped.ActorRef.Equals(_parameterServer), _ =>
        {
            if (!_clusterShuttingDown) Finish("the parameter server stopped before the run ended", FailureKind.ParameterServer);
        });
    }

    /// <summary>
    /// The node of a range lost for a rollback is downed at once: a dead node the cluster has not yet found unreachable would
    /// hold this node's leaving for its whole exiting phase, and a live one cut off from its range is no use to the run either
    /// (its worker joins the fresh node as any downed worker does).
    /// </summary>
    private void DownRangeNode(int range)
    {
        if (_placement?.NodeOf(range) is not { } node) return;
        _log.Information("Downing node {Node}, which served the lost key range {Range}", node, range);
        _cluster.Down(Address.Parse(node));
    }

    /// <summary>
    /// Reports that can come in while no step is being trained: the step sent ahead computed and applied
    /// while the test set is scored, or a result already on its way from a worker since lost. They wait
    /// for the next step, which is the step they belong to.
    /// </summary>
    private void StashStepReports()
    {
        foreach (var report in StepReportTypes) Receive(report, _ => Stash.Stash());
    }

    /// <summary>What may still arrive from a step that is over; registered after a phase's own handlers.</summary>
    private void IgnoreStale()
    {
        foreach (var stale in StaleTypes) Receive(stale, _ => { });
    }

    /// <summary>Sends the plans of the meter's next step (and of the one after, ahead) as the scheduler makes them; with no worker ready, waits for one.</summary>
    private void StartStep()
    {
        var ready = _roster.Ready();
        if (ready.Count == 0)
        {
            _log.Warning("Step {Step}: no worker is ready; waiting up to {Seconds:F0} s for one", _meter.Step + 1,
                _settings.WorkerWaitTimeout.TotalSeconds);
            Timers.StartSingleTimer("wait", WaitTimedOut.Instance, _settings.WorkerWaitTimeout);
            Become(Waiting);
            return;
        }
        _tally.StepStarted();
        int lookAhead = _stopRequested ? 0 : (int)Math.Min(_settings.PlansAhead, _meter.LastStep - 1 - _meter.Step);
        foreach (var dispatch in _scheduler.Start(_meter.Step, ready, lookAhead))
        {
            _parameterServer.Tell(dispatch.Begin with { EndsEpoch = _meter.EndsEpoch(dispatch.Begin.Step) });
            foreach (var shard in dispatch.Shards) shard.Worker.Ref.Tell(shard.Shard);
        }
        StartDeadline();
    }

    private void StartDeadline()
    {
        var plan = _scheduler.Current!;
        Timers.StartSingleTimer("deadline", new ShardDeadline(plan.Step, plan.Attempt), _settings.ShardDeadline);
    }

    /// <summary>Carries out the scheduler's decision about a shard of the current step that did not come in.</summary>
    private void CarryOut(RetryDecision decision)
    {
        switch (decision)
        {
            case RetryDecision.GiveUp giveUp: Finish(giveUp.Failure, giveUp.Kind); break;
            case RetryDecision.WaitForWorker: StartStep(); break;
            case RetryDecision.Reassign reassign:
                var shard = reassign.Assignment.Shard;
                // Before the worker hears of it, so that the parameter server knows to take its result.
                _parameterServer.Tell(new ShardReassigned(shard.Step, shard.Attempt, shard.ShardId, reassign.Assignment.Worker.Id));
                reassign.Assignment.Worker.Ref.Tell(shard);
                StartDeadline();
                break;
        }
    }

    /// <summary>Retries the shards of <paramref name="plan"/> still out (only <paramref name="worker"/>'s, when given) while it stays current.</summary>
    private void RetryShards(StepPlan plan, string? worker, string reason)
    {
        for (int i = 0; i < plan.Shards.Length; i++)
            if (_scheduler.Current == plan && !plan.Arrived[i] && (worker is null || plan.AssignedTo[i] == worker))
                CarryOut(_scheduler.Retry(plan.Step, plan.Attempt, i, plan.AssignedTo[i], reason, _roster.Ready()));
    }

    private void OnStepApplied(StepApplied applied)
    {
        if (_scheduler.Applied(applied.Step) is not { } plan) return;
        Timers.Cancel("deadline");
        _roster.ShardsApplied(applied.ShardSenders);
        _meter.Applied(applied.Outcome, plan.Normalizer, _tally.Applied(applied, plan));
        _observer.OnClusterStep(_tally.LastStep(_scheduler.Reassigned, _scheduler.Restarts, _roster.Ready().Count, _roster.Lost.Count));
        if (_meter.EpochEnded || StopsHere)
        {
            // A step that ends an epoch is scored by the parameter server right after it is applied, before the step sent
            // ahead of it can be (its plan said so); a stop inside an epoch has no step ahead left to race.
            if (!_meter.EpochEnded) _parameterServer.Tell(EvaluateModel.Instance);
            Become(Evaluating);
            return;
        }
        Continue();
    }

    /// <summary>
    /// A stop ends the run once no step is in flight. A step sent ahead is trained to its end too: the parameter server
    /// applies it as soon as the step before is in, often before it hears that the run ended, and a run that did not count
    /// it would report one step fewer than the weights it saves hold.
    /// </summary>
    private bool StopsHere => _stopRequested && !_scheduler.SentAhead(_meter.Step);

    /// <summary>
    /// The next step, or the run's end; in the training behaviour, which the caller is in or has just become: becoming it
    /// after every step rebuilt all its handlers each time, the coordinator's largest allocation per step.
    /// </summary>
    private void Continue()
    {
        if (StopsHere || _meter.IsOver)
        {
            Finish(null, interrupted: _stopRequested && !_meter.IsOver);
            return;
        }
        StartStep();
    }

    private void Finish(string? failure, FailureKind kind = FailureKind.NotFinite, bool interrupted = false)
    {
        Timers.CancelAll();
        _parameterServer.Tell(RunEnded.Instance);
        _scheduler.End();
        bool rangeLost = failure is not null && kind == FailureKind.RangeLost;
        if (rangeLost) _log.Warning("Training on this coordinator node stopped: {Reason}", failure);
        else if (kind == FailureKind.Superseded) _log.Information("Standing down before the first step: {Reason}", failure);
        else if (failure is not null) _log.Error("Training stopped: {Reason}", failure);
        if (rangeLost && _standbyTokens.Count > 0)
            _completion.TrySetException(new CoordinatorStoppedException(standbyKnown: true, Report(failure, interrupted, kind),
                $"{failure}; this coordinator node leaves the cluster"));
        else
            _completion.TrySetResult(Report(failure, interrupted, kind));
        Become(rangeLost ? RollingBack : Finished);
    }

    private DistributedRunReport Report(string? failure, bool interrupted, FailureKind kind)
    {
        // Nodes go by their cluster address; a worker in this node's own actor system has only the local one.
        string self = _cluster.SelfAddress.ToString();
        var nodes = new NodeTraffic(self, worker => _roster.NodeOf(worker) is { } node ? node.HasLocalScope ? self : node.ToString() : null,
            range => _placement?.NodeOf(range));
        return _tally.Report(_meter.Result(failure, interrupted, kind), _meter.TrainingSeconds, _scheduler.Reassigned, _scheduler.Restarts,
            _roster.Lost, _roster.ShardsPerWorker, _roster.Quarantined, nodes);
    }

    /// <summary>
    /// A fresh node goes on from the last state gathered from every range: a worker registering meanwhile hears nothing, and joins
    /// that node once this one has left, instead of being told the run is over and stopping.
    /// </summary>
    private void RollingBack() => ReceiveAny(_ => { });

    private void Finished()
    {
        Receive<RegisterWorker>(register => Sender.Tell(new WorkerRefused(register.WorkerId, "the run is over")));
        ReceiveAny(_ => { });
    }

    private sealed record ShardDeadline(long Step, int Attempt);

    private sealed class WaitTimedOut
    {
        public static readonly WaitTimedOut Instance = new();
    }
}
