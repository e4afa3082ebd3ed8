using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// Owns the schedule of a run. Waiting: registers workers (refusing another protocol version or
/// model with a reason) until the expected number have their data plane connected, or the wait
/// times out. Training: each step draws the global batch from the seeded sampler, cuts it into
/// shards sized by worker throughput, tells the parameter server what to expect and each worker
/// what to compute. A shard that is rejected, fails, misses its deadline, or whose worker becomes
/// unreachable or leaves is computed again elsewhere (with synchronised batch norm the whole step is
/// planned again, since its shards wait on each other). Evaluating: at each epoch's end the
/// parameter server scores the test set. Supervision: the parameter server (a sibling) is not
/// restarted: a crash there ends the run, which resumes from its newest checkpoint.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private readonly CoordinatorSettings _settings;
    private readonly IActorRef _parameterServer;
    private readonly ITrainingObserver _observer;
    private readonly TaskCompletionSource<DistributedRunReport> _completion;
    private readonly ILogger _log;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly BatchSampler _sampler;
    private readonly long _lastStep;
    private readonly Dictionary<string, WorkerState> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _shardsPerWorker = new(StringComparer.Ordinal);
    private readonly List<string> _lost = [];
    private readonly List<long> _applied = [];
    private readonly List<EpochReport> _epochs = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private long _step;
    private StepPlan? _plan;
    private StepPlan? _ahead;
    private int _failuresThisStep;
    private long _reassigned, _restarts;
    private AggregationCounts _dropped;
    private DataPlaneTraffic _traffic;
    private bool _stopRequested;
    private long _stepStarted;
    private double _trainingSeconds, _epochTrainingSeconds, _computeSeconds, _exchangeSeconds, _applySeconds;
    private long _trainedSamples;
    private BatchOutcome _epochOutcome;
    private readonly Stopwatch _epochClock = Stopwatch.StartNew();

    public CoordinatorActor(CoordinatorSettings settings, IActorRef parameterServer, ITrainingObserver observer,
        TaskCompletionSource<DistributedRunReport> completion, ILogger log)
    {
        _settings = settings;
        _parameterServer = parameterServer;
        _observer = observer;
        _completion = completion;
        _log = log;
        _sampler = new BatchSampler(settings.TrainCount, settings.BatchSize, settings.Shuffle, settings.Job.Seed);
        _step = settings.FirstStep;
        _lastStep = settings.FirstStep + (settings.Steps ?? (long)settings.Epochs * _sampler.BatchesPerEpoch);
        Waiting();
    }

    public ITimerScheduler Timers { get; set; } = null!;
    public IStash Stash { get; set; } = null!;

    public static Props Props(CoordinatorSettings settings, IActorRef parameterServer, ITrainingObserver observer,
        TaskCompletionSource<DistributedRunReport> completion, ILogger log) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(settings, parameterServer, observer, completion, log));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved));
        Timers.StartSingleTimer("wait", WaitTimedOut.Instance, _settings.WorkerWaitTimeout);
        _log.Information("Waiting for {Workers} workers (at most {Seconds:F0} s)", _settings.ExpectWorkers,
            _settings.WorkerWaitTimeout.TotalSeconds);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _completion.TrySetException(new InvalidOperationException("the coordinator stopped before the run ended"));
    }

    private void Waiting()
    {
        // Before Membership's handlers, which would take these messages first: here each may make enough workers ready.
        Receive<WorkerConnected>(connected =>
        {
            if (!_workers.TryGetValue(connected.WorkerId, out var worker)) return;
            worker.Connected = true;
            _log.Information("Worker {Worker} is ready ({Ready} of {Expected})", connected.WorkerId, ReadyWorkers().Count, _settings.ExpectWorkers);
            StartWhenReady();
        });
        Receive<ClusterEvent.ReachableMember>(reachable =>
        {
            Reachable(reachable.Member);
            StartWhenReady();
        });
        Membership();
        Receive<WaitTimedOut>(_ => Finish(
            $"only {ReadyWorkers().Count} of {_settings.ExpectWorkers} workers were ready within {_settings.WorkerWaitTimeout.TotalSeconds:F0} s"));
        Receive<StopTraining>(_ => Finish(null, interrupted: true));
        StashStepReports();
        IgnoreStale();
    }

    /// <summary>Training starts (or goes on) once the expected workers are ready, or any one is after the run has begun.</summary>
    private void StartWhenReady()
    {
        int ready = ReadyWorkers().Count;
        if (ready < _settings.ExpectWorkers && (_applied.Count == 0 || ready == 0)) return;
        Timers.Cancel("wait");
        Stash.UnstashAll();
        Become(Training);
        StartStep();
    }

    private void Training()
    {
        Membership();
        Receive<WorkerConnected>(Joined);
        Receive<ShardArrived>(arrived =>
        {
            if (_plan is null || arrived.Step != _plan.Step || arrived.Attempt != _plan.Attempt) return;
            _plan.Arrived[arrived.ShardId] = true;
            _plan.SlowestComputeSeconds = Math.Max(_plan.SlowestComputeSeconds, arrived.ComputeSeconds);
            if (_workers.TryGetValue(arrived.WorkerId, out var worker) && arrived.ComputeSeconds > 0)
                worker.Observe(arrived.Rows / arrived.ComputeSeconds);
            _shardsPerWorker[arrived.WorkerId] = _shardsPerWorker.GetValueOrDefault(arrived.WorkerId) + 1;
        });
        Receive<ShardRejected>(rejected =>
        {
            if (rejected.NotFinite && Diverged(rejected)) return;
            Retry(rejected.Step, rejected.Attempt, rejected.ShardId, rejected.WorkerId, $"rejected: {rejected.Reason}");
        });
        Receive<ShardFailed>(failed => Retry(failed.Step, failed.Attempt, failed.ShardId, failed.WorkerId, failed.Reason));
        Receive<ShardDeadline>(deadline =>
        {
            if (_plan is not { } plan || deadline.Step != plan.Step || deadline.Attempt != plan.Attempt) return;
            for (int i = 0; i < plan.Shards.Length; i++)
                if (!plan.Arrived[i] && _plan == plan)
                    Retry(plan.Step, plan.Attempt, i, plan.AssignedTo[i], $"no result within {_settings.ShardDeadline.TotalSeconds:F0} s");
        });
        Receive<StepApplied>(OnStepApplied);
        Receive<StepFailed>(failed => Finish(failed.Reason));
        Receive<StopTraining>(_ => _stopRequested = true);
        IgnoreStale();
    }

    private void Evaluating()
    {
        Membership();
        Receive<WorkerConnected>(Joined);
        Receive<ModelEvaluated>(evaluated =>
        {
            CloseEpoch(evaluated.Test);
            Stash.UnstashAll();
            Continue();
        });
        Receive<StopTraining>(_ => _stopRequested = true);
        StashStepReports();
        IgnoreStale();
    }

    private void Joined(WorkerConnected connected)
    {
        if (!_workers.TryGetValue(connected.WorkerId, out var worker)) return;
        worker.Connected = true;
        _log.Information("Worker {Worker} joined the run at step {Step}", connected.WorkerId, _step + 1);
    }

    private void Reachable(Member member)
    {
        foreach (var worker in WorkersOn(member.Address))
        {
            worker.Reachable = true;
            _log.Information("Worker {Worker} is reachable again", worker.Id);
        }
    }

    /// <summary>Handlers every phase shares: registration and cluster membership.</summary>
    private void Membership()
    {
        Receive<RegisterWorker>(Register);
        Receive<WorkerWithdrew>(withdrew =>
        {
            _log.Warning("Worker {Worker} withdrew: {Reason}", withdrew.WorkerId, withdrew.Reason);
            Lose(withdrew.WorkerId, $"withdrew: {withdrew.Reason}", forget: true);
        });
        Receive<WorkerDisconnected>(disconnected => Lose(disconnected.WorkerId, $"data plane closed: {disconnected.Reason}", forget: false));
        Receive<ClusterEvent.UnreachableMember>(unreachable =>
        {
            foreach (var worker in WorkersOn(unreachable.Member.Address)) Lose(worker.Id, "its node is unreachable", forget: false);
        });
        Receive<ClusterEvent.ReachableMember>(reachable => Reachable(reachable.Member));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            foreach (var worker in WorkersOn(removed.Member.Address).ToList()) Lose(worker.Id, "its node left the cluster", forget: true);
        });
    }

    /// <summary>
    /// Reports that can come in while no step is being trained: the step sent ahead computed and applied
    /// while the test set is scored, or a result already on its way from a worker since lost. They wait
    /// for the next step, which is the step they belong to.
    /// </summary>
    private void StashStepReports()
    {
        Receive<ShardArrived>(_ => Stash.Stash());
        Receive<ShardRejected>(_ => Stash.Stash());
        Receive<ShardFailed>(_ => Stash.Stash());
        Receive<StepApplied>(_ => Stash.Stash());
        Receive<StepFailed>(_ => Stash.Stash());
    }

    /// <summary>What may still arrive from a step that is over; registered after a phase's own handlers.</summary>
    private void IgnoreStale()
    {
        Receive<ShardDeadline>(_ => { });
        Receive<ShardArrived>(_ => { });
        Receive<ShardRejected>(_ => { });
        Receive<ShardFailed>(_ => { });
        Receive<WaitTimedOut>(_ => { });
    }

    private void Register(RegisterWorker register)
    {
        string? refusal = register.ProtocolVersion != ProtocolVersion.Current
            ? $"protocol version {register.ProtocolVersion}; the coordinator speaks {ProtocolVersion.Current}"
            : register.ExpectedLayers is { } layers && layers != _settings.Job.Layers
                ? $"model '{layers}' differs from the run's '{_settings.Job.Layers}'"
                : null;
        if (refusal is not null)
        {
            _log.Warning("Refused worker {Worker} from {Node}: {Reason}", register.WorkerId, register.Node, refusal);
            Sender.Tell(new WorkerRefused(register.WorkerId, refusal));
            return;
        }
        if (!_workers.TryGetValue(register.WorkerId, out var worker))
        {
            _workers[register.WorkerId] = worker = new WorkerState(register.WorkerId, Sender);
            _log.Information("Registered worker {Worker} on {Node} ({Backend})", register.WorkerId, register.Node, register.Backend);
        }
        worker.Ref = Sender;
        worker.Reachable = true;
        worker.Connected = false;
        _parameterServer.Tell(new AdmitWorker(register.WorkerId));
        Sender.Tell(new WorkerAccepted(register.WorkerId, _settings.Job));
    }

    /// <summary>
    /// Makes step <see cref="_step"/> current: the plan sent ahead if all its workers are still
    /// ready, else a new plan (a new attempt of the step). Then plans the following step and sends
    /// it at once, so that workers start it as soon as its weights arrive, without waiting for a
    /// round trip through the coordinator.
    /// </summary>
    private void StartStep(bool replan = false)
    {
        var ready = ReadyWorkers();
        if (ready.Count == 0)
        {
            _log.Warning("Step {Step}: no worker is ready; waiting up to {Seconds:F0} s for one", _step + 1,
                _settings.WorkerWaitTimeout.TotalSeconds);
            Timers.StartSingleTimer("wait", WaitTimedOut.Instance, _settings.WorkerWaitTimeout);
            Become(Waiting);
            return;
        }
        var sentAhead = _ahead is { } a && a.Step == _step ? a : null;
        var previous = sentAhead ?? (_plan is { } p && p.Step == _step ? p : null);
        if (sentAhead is not null) _ahead = null;
        if (!replan && sentAhead is not null && AllReady(sentAhead, ready))
            _plan = sentAhead;
        else
        {
            // A plan is never sent twice: a new cut of the same step is a new attempt.
            _plan = Plan(_step, previous is null ? 0 : previous.Attempt + 1, ready, previous);
            Send(_plan, ready);
        }
        _stepStarted = Stopwatch.GetTimestamp();
        Timers.StartSingleTimer("deadline", new ShardDeadline(_plan.Step, _plan.Attempt), _settings.ShardDeadline);
        if (_step + 1 >= _lastStep || _stopRequested || (_ahead is { } next && next.Step == _step + 1 && AllReady(next, ready))) return;
        var stale = _ahead is { } old && old.Step == _step + 1 ? old : null;
        _ahead = Plan(_step + 1, stale is null ? 0 : stale.Attempt + 1, ready, stale);
        Send(_ahead, ready);
    }

    private static bool AllReady(StepPlan plan, List<WorkerState> ready) =>
        plan.AssignedTo.All(id => ready.Any(w => w.Id == id));

    /// <summary>Plans (another attempt of) a step over the ready workers, reusing the batch of an earlier plan of the same step.</summary>
    private StepPlan Plan(long step, int attempt, List<WorkerState> ready, StepPlan? earlier)
    {
        int[] batch;
        if (earlier is not null) batch = earlier.Batch;
        else
        {
            int epoch = (int)(step / _sampler.BatchesPerEpoch);
            batch = _sampler.Batch(epoch, (int)(step % _sampler.BatchesPerEpoch)).ToArray();
        }
        var weights = ready.Select(w => _settings.Sizing == ShardSizing.Equal ? 1.0 : w.Throughput).ToArray();
        var shards = ShardSplitter.Split(batch.Length, weights, _settings.BatchNorm ? 2 : 1);
        var plan = new StepPlan(step, attempt, batch, _settings.Normalizer(batch.Length), shards);
        for (int i = 0; i < shards.Length; i++) plan.AssignedTo[i] = ready[i].Id;
        return plan;
    }

    private void Send(StepPlan plan, List<WorkerState> ready)
    {
        _parameterServer.Tell(new BeginStep(plan.Step, plan.Attempt, plan.Shards));
        for (int i = 0; i < plan.Shards.Length; i++) Assign(plan, plan.Shards[i], ready[i]);
    }

    private static void Assign(StepPlan plan, Shard shard, WorkerState worker)
    {
        plan.AssignedTo[shard.Id] = worker.Id;
        worker.Ref.Tell(new ComputeShard(plan.Step, plan.Attempt, plan.Step, shard.Id, shard.Start,
            plan.Batch.AsSpan(shard.Start, shard.Count).ToArray(), plan.Normalizer));
    }

    /// <summary>Computes a shard of the current step again on another worker (or, with synchronised batch norm, plans the whole step again).</summary>
    private void Retry(long step, int attempt, int shardId, string worker, string reason)
    {
        if (_plan is not { } plan || step != plan.Step || attempt != plan.Attempt || (uint)shardId >= (uint)plan.Arrived.Length ||
            plan.Arrived[shardId])
            return;
        _failuresThisStep++;
        _log.Warning("Step {Step} shard {Shard} on worker {Worker}: {Reason}", step + 1, shardId, worker, reason);
        if (_failuresThisStep > _settings.MaxAttempts * Math.Max(1, plan.Shards.Length))
        {
            Finish($"step {step + 1}: shards failed {_failuresThisStep} times; last: shard {shardId} on worker {worker}: {reason}");
            return;
        }
        if (_settings.Job.SynchronisedBatchNorm)
        {
            _restarts++;
            _log.Warning("Step {Step}: planning it again (attempt {Attempt}): synchronised batch norm needs every shard of one plan",
                step + 1, plan.Attempt + 2);
            StartStep(replan: true);
            return;
        }
        var ready = ReadyWorkers();
        if (ready.Count == 0)
        {
            // No worker left: wait for one as at the start of a step, so the run ends after the worker timeout, not after retries.
            StartStep();
            return;
        }
        var target = ready.Where(w => w.Id != worker).OrderByDescending(w => w.Throughput).FirstOrDefault() ?? ready[0];
        _reassigned++;
        _log.Information("Step {Step} shard {Shard}: reassigned from worker {From} to {To}", step + 1, shardId, worker, target.Id);
        Assign(plan, plan.Shards[shardId], target);
        Timers.StartSingleTimer("deadline", new ShardDeadline(plan.Step, plan.Attempt), _settings.ShardDeadline);
    }

    /// <summary>
    /// A non-finite shard is computed again on another worker, in case its node is faulty; when a
    /// second worker (or the only one) also gets NaN/Inf, the model itself has diverged: the run
    /// stops with the weights of the last applied step.
    /// </summary>
    private bool Diverged(ShardRejected rejected)
    {
        if (_plan is not { } plan || rejected.Step != plan.Step) return false;
        var workers = plan.NotFiniteOn.GetValueOrDefault(rejected.ShardId) ?? [];
        workers.Add(rejected.WorkerId);
        plan.NotFiniteOn[rejected.ShardId] = workers;
        if (workers.Count < Math.Min(2, Math.Max(1, ReadyWorkers().Count))) return false;
        int epoch = (int)(plan.Step / _sampler.BatchesPerEpoch);
        int batch = (int)(plan.Step % _sampler.BatchesPerEpoch);
        Finish($"the loss or a gradient became NaN/Inf at step {plan.Step + 1} (epoch {epoch + 1}, batch {batch + 1}) on " +
               $"{string.Join(" and ", workers)}; the weights of step {plan.Step} are kept");
        return true;
    }

    private void Lose(string workerId, string reason, bool forget)
    {
        if (!_workers.TryGetValue(workerId, out var worker)) return;
        bool wasReady = worker.IsReady;
        worker.Reachable = false;
        if (forget)
        {
            _workers.Remove(workerId);
            worker.Connected = false;
        }
        if (wasReady)
        {
            _log.Warning("Lost worker {Worker}: {Reason}", workerId, reason);
            _lost.Add(workerId);
        }
        if (_plan is not { } plan) return;
        for (int i = 0; i < plan.AssignedTo.Length; i++)
            if (_plan == plan && plan.AssignedTo[i] == workerId && !plan.Arrived[i])
                Retry(plan.Step, plan.Attempt, i, workerId, $"its worker was lost ({reason})");
    }

    private void OnStepApplied(StepApplied applied)
    {
        if (_plan is not { } plan || applied.Step != plan.Step) return;
        Timers.Cancel("deadline");
        _dropped = applied.Counts;
        _traffic = applied.Traffic;
        _applied.Add(applied.Step);
        double seconds = Stopwatch.GetElapsedTime(_stepStarted).TotalSeconds;
        _trainingSeconds += seconds;
        _epochTrainingSeconds += seconds;
        _computeSeconds += plan.SlowestComputeSeconds;
        _exchangeSeconds += applied.Times.ExchangeSeconds;
        _applySeconds += applied.Times.ApplySeconds;
        _trainedSamples += applied.Outcome.Rows;
        _epochOutcome += applied.Outcome;
        int epoch = (int)(_step / _sampler.BatchesPerEpoch);
        int batch = (int)(_step % _sampler.BatchesPerEpoch);
        _observer.OnStep(new StepReport(epoch, batch, _sampler.BatchesPerEpoch, _step + 1, _lastStep,
            applied.Outcome.LossSum / plan.Normalizer, (double)applied.Outcome.Correct / applied.Outcome.Rows,
            _trainedSamples / Math.Max(_trainingSeconds, 1e-9)));
        _step++;
        _failuresThisStep = 0;
        bool epochEnds = batch == _sampler.BatchesPerEpoch - 1 || _step == _lastStep || _stopRequested;
        if (epochEnds)
        {
            _parameterServer.Tell(EvaluateModel.Instance);
            Become(Evaluating);
            return;
        }
        Continue();
    }

    private void Continue()
    {
        if (_stopRequested || _step >= _lastStep)
        {
            Finish(null, interrupted: _stopRequested && _step < _lastStep);
            return;
        }
        Become(Training);
        StartStep();
    }

    private void CloseEpoch(BatchOutcome? test)
    {
        int epoch = (int)((_step - 1) / _sampler.BatchesPerEpoch);
        double trainLoss = _epochOutcome.LossSum / _settings.Normalizer(_epochOutcome.Rows);
        double? testLoss = test is { } t ? t.LossSum / _settings.Normalizer(t.Rows) : null;
        double? testAccuracy = test is { } u ? (double)u.Correct / u.Rows : null;
        var report = new EpochReport(epoch + 1, _step, trainLoss, (double)_epochOutcome.Correct / _epochOutcome.Rows, testLoss,
            testAccuracy, _epochOutcome.Rows / Math.Max(_epochTrainingSeconds, 1e-9), _epochClock.Elapsed.TotalSeconds);
        _log.Information(
            "Epoch {Epoch} ended at step {Step}: train loss {TrainLoss:F4} accuracy {TrainAccuracy:F4}, test loss {TestLoss:F4} accuracy {TestAccuracy:F4}",
            report.Epoch, report.Step, report.TrainLoss, report.TrainAccuracy, report.TestLoss, report.TestAccuracy);
        _epochs.Add(report);
        _observer.OnEpoch(report);
        _epochOutcome = default;
        _epochTrainingSeconds = 0;
        _epochClock.Restart();
    }

    private void Finish(string? failure, bool interrupted = false)
    {
        Timers.CancelAll();
        _parameterServer.Tell(RunEnded.Instance);
        _plan = null;
        _ahead = null;
        if (failure is not null) _log.Error("Training stopped: {Reason}", failure);
        var result = new TrainingResult(_epochs, _step, _clock.Elapsed.TotalSeconds,
            _trainedSamples / Math.Max(_trainingSeconds, 1e-9), failure, interrupted);
        _completion.TrySetResult(new DistributedRunReport(result, _dropped, _reassigned, _restarts, _lost,
            new Dictionary<string, long>(_shardsPerWorker), _applied,
            new StepTimes(_trainingSeconds, _computeSeconds, _exchangeSeconds, _applySeconds), _traffic));
        Become(Finished);
    }

    private void Finished()
    {
        Receive<RegisterWorker>(register => Sender.Tell(new WorkerRefused(register.WorkerId, "the run is over")));
        ReceiveAny(_ => { });
    }

    private List<WorkerState> ReadyWorkers() =>
        _workers.Values.Where(w => w.IsReady).OrderBy(w => w.Id, StringComparer.Ordinal).ToList();

    private IEnumerable<WorkerState> WorkersOn(Address node) => _workers.Values.Where(w => w.Ref.Path.Address == node);

    private sealed class WorkerState(string id, IActorRef actor)
    {
        public string Id { get; } = id;
        public IActorRef Ref { get; set; } = actor;
        public bool Connected { get; set; }
        public bool Reachable { get; set; } = true;
        public bool IsReady => Connected && Reachable;

        /// <summary>Rows per second of compute, smoothed; 1 until measured so that new workers start with an equal share.</summary>
        public double Throughput { get; private set; } = 1;

        private bool _measured;

        public void Observe(double rowsPerSecond)
        {
            Throughput = _measured ? 0.8 * Throughput + 0.2 * rowsPerSecond : rowsPerSecond;
            _measured = true;
        }
    }

    private sealed record ShardDeadline(long Step, int Attempt);

    private sealed class WaitTimedOut
    {
        public static readonly WaitTimedOut Instance = new();
    }
}
