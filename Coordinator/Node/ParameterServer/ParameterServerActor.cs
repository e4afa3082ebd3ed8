using System.Diagnostics;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Data;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server: receives shard results on the tensor data plane, takes each (step, shard)
/// once, applies a complete step (<see cref="StepApplier"/>) and sends the new weights to every
/// connected worker (<see cref="DataPlaneConnections{TConnection}"/>); reduces synchronised batch-norm
/// statistics (<see cref="BatchNormReduction{TPeer}"/>); evaluates the model on request and checkpoints it
/// (<see cref="ModelSnapshot"/>). With the parameters cut into key ranges on streams of their own (--ps-shards above 1,
/// ps-range-streams), each range has a server of its own (<see cref="RangeServerActor"/>, on a host of key ranges reached over a
/// data-plane stream through a child here, <see cref="RangeLinkActor"/>) holding the range's weights and optimizer state and
/// taking each worker's stream of that range: a result comes as a head on the main stream
/// and a gradient part per range on the range's stream, each part checked and kept by its range's server, which reports it
/// (<see cref="PartsIn"/>) to <see cref="ShardParts"/> as the step's master sees results (their heads and their parts' norms).
/// This actor stays the step's master: once a step is complete it has every range sum and step it, commits the step when
/// every range could (each range then sends its new weights on its streams) or discards it, and gathers the ranges' state
/// when the whole model is read (evaluation, checkpoints, export); while it waits for the ranges, other messages wait.
/// It copies the state to save and a task writes it (<see cref="CheckpointWriter"/>,
/// retries included), one write at a time (<see cref="CheckpointQueue"/>), so the next steps are not held behind
/// the disk; a periodic checkpoint that fails for good is reported to the coordinator, which ends the run. Each periodic
/// checkpoint also goes to the standby coordinators' streams (<see cref="SnapshotFeed"/>), kept apart from the workers'.
/// Reports to the coordinator (the sender of its commands). Its data-plane callbacks and the writing task only
/// Tell it messages; all state changes happen in Receive. Its only children are those links, which stop with it.
/// </summary>
public sealed partial class ParameterServerActor : ReceiveActor, IWithUnboundedStash
{
    public const string Name = "parameter-server";

    private readonly TensorListener _listener;
    private readonly ILogger _log;
    private readonly StepApplier _applier;
    private readonly ModelSnapshot _snapshot;
    private readonly StepAggregator _aggregator;
    private readonly ShardScreening _screening;
    private readonly BatchNormReduction<TensorConnection> _batchNorm;
    private readonly DataPlaneConnections<TensorConnection> _connections = new(c => c.PeerId ?? "", DataPlaneTraffic.Of);
    private readonly DataPlaneConnections<TensorConnection> _standbys = new(c => c.PeerId ?? "", DataPlaneTraffic.Of);
    // Each key range's server, by range, once the ranges travelling on streams of their own are placed; none otherwise.
    private IActorRef[] _ranges = [];
    private readonly ParameterServerSettings _settings;
    // Each range's streams as its last answer counted them.
    private readonly StreamTraffic[][] _rangeStreams;
    // The ranges' answers to the steps over the run, and how many of them were steps the range took ahead of being asked.
    private long _rangeAnswers, _rangeStepsAhead;
    private readonly ShardParts? _parts;
    private readonly SnapshotFeed _feed;
    private readonly PayloadPool _payloads;
    private readonly PackedResults _packed;
    private readonly CheckpointPlan? _checkpoints;
    private readonly CheckpointWriter _writer;
    private readonly CheckpointQueue _saves;
    private readonly RunMetrics? _metrics;
    private readonly ServerStateAtStop? _stateAtStop;
    private readonly int _plansAhead;
    private readonly List<BeginStep> _ahead = [];
    // The step being aggregated ends an epoch: the test set is scored once it is applied.
    private bool _endsEpoch;
    // The timeout of the wait for the ranges' servers while one is on, and the number of such waits so far.
    private ICancelable? _waiting;
    private long _waits;
    // What waits for the gather under way.
    private readonly List<Action> _afterGather = [];
    private long _exchangeStarted = Stopwatch.GetTimestamp();
    private IActorRef _coordinator = ActorRefs.Nobody;

    public ParameterServerActor(ParameterServerSettings settings, BatchRunner evaluator, Dataset? test, IOptimizer optimizer,
        TensorListener listener, ILogger log)
    {
        _listener = listener;
        _payloads = listener.Options.Payloads;
        _log = log;
        _applier = new StepApplier(evaluator.Model, optimizer, settings.Gradients, settings.Shards, settings.RangeTimeout, _payloads);
        _snapshot = new ModelSnapshot(_applier, evaluator, test, settings.Checkpoints?.PlannedSteps, settings.Checkpoints?.LogicalShards);
        _checkpoints = settings.Checkpoints;
        _writer = new CheckpointWriter(settings.Retry, log);
        _saves = new CheckpointQueue(log);
        _feed = new SnapshotFeed(listener.Options.MaxPayloadBytes, log);
        _metrics = settings.Metrics;
        _stateAtStop = settings.StateAtStop;
        _plansAhead = settings.PlansAhead;
        bool ranged = settings.RangeStreams && _applier.Shards > 1;
        _settings = settings;
        _rangeStreams = [.. Enumerable.Repeat(Array.Empty<StreamTraffic>(), ranged ? _applier.Shards : 0)];
        // Ranges on workers' nodes are placed once the coordinator knows the nodes (PlaceRanges); ranges in this node, now.
        if (ranged && !settings.RangesOnOtherNodes) LinkRanges(settings.RangeHosts);
        _parts = ranged ? new ShardParts(_applier.Shards, _payloads.Return) : null;
        // With key ranges the aggregator takes heads: the batch-norm statistics alone, the gradients staying in the parts.
        _aggregator = new StepAggregator(ranged ? new ShardPayloadLayout(0, _applier.Layout.BatchNormWidths) : _applier.Layout,
            _payloads.Return);
        _packed = new PackedResults(_applier.Layout, _payloads);
        _screening = new ShardScreening(new ShardNormRule(settings.MaxShardNormRatio));
        _batchNorm = new BatchNormReduction<TensorConnection>(_applier.Layout.BatchNormWidths,
            (connection, header, payload) => connection.Send(header, payload), log);

        Training();
    }

    public static Props Props(ParameterServerSettings settings, BatchRunner evaluator, Dataset? test, IOptimizer optimizer,
        TensorListener listener, ILogger log) =>
        Akka.Actor.Props.Create(() => new ParameterServerActor(settings, evaluator, test, optimizer, listener, log));

    /// <summary>The version of the weights now published: the number of optimizer steps taken.</summary>
    private long Version => _applier.Version;

    public IStash Stash { get; set; } = null!;

    /// <summary>
    /// An error in any handler leaves the weights and the optimizer state half-way. Akka would restart an actor under /user on
    /// them, with its data plane already closed and the coordinator none the wiser (the run then waited for ever); instead the
    /// parameter server reports the failure to the coordinator and stops, which the coordinator also watches for.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            string reason = $"the parameter server failed at step {Version + 1} on {message.GetType().Name}: {e.Message}";
            _log.Error(e, "Training stopped: {Reason}; nothing is written from its state, which cannot be trusted", reason);
            _coordinator.Tell(new ParameterServerFailed(reason));
            Context.Stop(Self);
            return true;
        }
    }

    protected override void PostStop()
    {
        // Between two messages no step is half done: the model and the optimizer then hold a step a fresh coordinator
        // node can train on from (its node removed from the cluster, this one is stopped with the actor system).
        _stateAtStop?.Stopped(_applier.WriteLastWholeState());
        _connections.Dispose();
        _standbys.Dispose();
        _listener.Dispose();
        _applier.Dispose();
    }

    private void Training()
    {
        Receive<AdmitWorker>(admit =>
        {
            _coordinator = Sender;
            _connections.Admit(admit.WorkerId, admit.StreamToken);
            foreach (var range in _ranges) range.Tell(new AdmitToRange(admit.WorkerId, admit.StreamToken));
        });
        Receive<AdmitStandby>(admit => _standbys.Admit(admit.Node, admit.StreamToken));
        Receive<DataPlaneConnected>(connected => Connect(connected.Connection));
        Receive<DropWorker>(drop =>
        {
            foreach (var range in _ranges) range.Tell(new DropFromRange(drop.WorkerId));
            if (_connections.Drop(drop.WorkerId))
                _log.Information("Data plane: closed the stream of worker {Worker}, lost by the coordinator: {Reason}", drop.WorkerId, drop.Reason);
        });
        Receive<DataPlaneClosed>(closed =>
        {
            if (ForgetStandby(closed)) return;
            if (_connections.Forget(closed.Connection) is not { } id) return;
            foreach (var range in _ranges) range.Tell(new CloseRangeStream(id));
            _log.Warning("Data plane: worker {Worker} disconnected: {Reason}", id, closed.Reason.Message);
            _coordinator.Tell(new WorkerDisconnected(id, closed.Reason.Message));
        });
        // The worker's main stream goes with it: its closing reports the worker lost, once.
        Receive<RangeStreamLost>(lost => _connections.Close(lost.Worker));
        Receive<FrameArrived>(OnFrame);
        Receive<PartsIn>(reports =>
        {
            foreach (var part in reports.Parts) OnPart(part);
        });
        Receive<BeginStep>(Begin);
        Receive<RangesTimedOut>(_ => { });
        Receive<RangeServerLost>(Lost);
        Receive<PlaceRanges>(place =>
        {
            if (_parts is not null && _ranges.Length == 0) LinkRanges(place.Servers);
            else _log.Warning("Ignored a placement of {Count} key ranges: this parameter server's ranges are placed already, or it has none",
                place.Servers.Count);
        });
        Receive<ShardReassigned>(_screening.Reassigned);
        ReceiveModelRequests();
        Receive<RunEnded>(_ =>
        {
            if (_screening.Rule.Enabled)
                _log.Information("Robust aggregation: the largest ratio of an applied shard's gradient norm to its step's others was " +
                                 "{Ratio:F2} (limit {Limit})", _screening.Rule.LargestRatio, _screening.Rule.MaxRatio);
            if (_ranges.Length > 0)
                _log.Information("Key ranges: {Ahead} of {Answers} answers were steps taken as soon as every shard's part was in",
                    _rangeStepsAhead, _rangeAnswers);
            foreach (var range in _ranges) range.Tell(RangeRunEnded.Instance);
            Become(Ended);
        });
    }

    /// <summary>
    /// Hands each key range to its server at <paramref name="servers"/> (in range order) through a link of its own, and lets in
    /// there every worker admitted so far.
    /// </summary>
    private void LinkRanges(IReadOnlyList<RangeEndpoint> servers)
    {
        if (servers.Count != _applier.Shards)
            throw new ArgumentException($"{_applier.Shards} key ranges on streams of their own need as many servers; {servers.Count} given",
                nameof(servers));
        var dispatcher = Context.Props.Dispatcher;
        _ranges = [.. _applier.Place().Select((host, range) => Context.ActorOf(RangeLinkActor.Props(host, servers[range], Self,
            _listener.Options, _settings.ConnectTimeout, _log).WithDispatcher(dispatcher), $"range-{range}"))];
        foreach (var (worker, token) in _connections.Admitted)
            foreach (var range in _ranges) range.Tell(new AdmitToRange(worker, token));
    }

    /// <summary>
    /// A key range's server is lost: its range of the weights and of the optimizer state is gone, so no step can be taken
    /// and the whole model can no longer be gathered. The coordinator ends this node's part of the run; as this server stops
    /// it writes the last state it held whole (handed over or gathered from every range) into the run's model, which a fresh
    /// node rolls back to (<see cref="StepApplier.WriteLastWholeState"/>).
    /// </summary>
    private void Lost(RangeServerLost lost)
    {
        string reason = $"key range {lost.Range}'s server was lost ({lost.Reason}); the run cannot go on from its weights and " +
                        $"optimizer state, only from the last state gathered from every range";
        _log.Warning("Step {Step}: {Reason}", Version + 1, reason);
        _coordinator.Tell(new RangeFailed(lost.Range, reason));
        foreach (var range in _ranges) Context.Stop(range);
        Become(() => RangesLost(lost.Range, reason));
    }

    private void RangesLost(int range, string reason)
    {
        Receive<EvaluateModel>(_ => Sender.Tell(new ModelEvaluated(null)));
        Receive<SaveCheckpoint>(save => Sender.Tell(new CheckpointSaved(save.Path, Version, reason)));
        Receive<ExportModel>(_ => Sender.Tell(new ModelExported(_applier.WrittenVersion)));
        // Lost before the coordinator first spoke to it (a range's server not reached at the start): it hears of it now.
        Receive<AdmitWorker>(_ => Sender.Tell(new RangeFailed(range, reason)));
        Receive<BeginStep>(_ => Sender.Tell(new RangeFailed(range, reason)));
        Receive<DataPlaneConnected>(connected => connected.Connection.Refuse(reason));
        Receive<FrameArrived>(arrived => _payloads.Return(arrived.Frame.Payload));
        Receive<DataPlaneClosed>(closed =>
        {
            if (!ForgetStandby(closed)) _connections.Forget(closed.Connection);
        });
        ReceiveAny(_ => { });
    }

    /// <summary>After the run the weights are final: the model can still be evaluated and saved; workers leave.</summary>
    private void Ended()
    {
        Receive<DataPlaneConnected>(connected => connected.Connection.Refuse("the run is over"));
        Receive<DataPlaneClosed>(closed =>
        {
            if (ForgetStandby(closed)) return;
            if (_connections.Forget(closed.Connection) is { } id) _log.Information("Data plane: worker {Worker} left after the run", id);
        });
        ReceiveModelRequests();
        ReceiveAny(_ => { });
    }

    private void ReceiveModelRequests()
    {
        Receive<EvaluateModel>(_ =>
        {
            var requester = Sender;
            WithWholeState(() => requester.Tell(new ModelEvaluated(_snapshot.Evaluate())));
        });
        Receive<SaveCheckpoint>(save =>
        {
            if (_saves.Requested(save.Path, Sender, out var refusal) is { } job) StartWriting(job);
            else if (refusal is not null) Sender.Tell(new CheckpointSaved(save.Path, Version, refusal, RunFailed: _saves.Failure is not null));
        });
        Receive<CheckpointWritten>(Written);
        Receive<ExportModel>(_ =>
        {
            var requester = Sender;
            WithWholeState(() => requester.Tell(_snapshot.Export()));
        });
    }

    /// <summary>Copies the state to save here, between two messages, and writes it on a task; the result comes back as a message.</summary>
    private void StartWriting(CheckpointJob job) => WithWholeState(() => Write(job));

    private void Write(CheckpointJob job)
    {
        long started = Stopwatch.GetTimestamp();
        var content = _snapshot.Capture();
        var writer = _writer;
        var metrics = _metrics;
        var feed = _feed;
        // The periodic checkpoint is the state a standby takes over from; one write at a time keeps the snapshots in order.
        TensorConnection[] standbys = job.ReplyTo is null ? [.. _standbys.Current] : [];
        BlockingWork.Run(() =>
        {
            feed.Send(content, standbys);
            string? error = writer.TryWrite(job.Path, content);
            if (error is null) metrics?.OnCheckpoint(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return error;
        }).PipeTo(Self,
            success: error => new CheckpointWritten(job, content.Step, error),
            failure: e => new CheckpointWritten(job, content.Step, $"checkpoint {job.Path} of step {content.Step}: {e.Message}"));
    }

    private void Written(CheckpointWritten written)
    {
        if (written.Job.ReplyTo is { } requester)
            requester.Tell(new CheckpointSaved(written.Job.Path, written.Step, written.Error));
        else if (written.Error is { } error)
        {
            _log.Error("Step {Step}: {Reason}", written.Step, error);
            _coordinator.Tell(new CheckpointFailed(written.Step, error));
            // The run's last step can be applied before this failure is known: the final --save waiting for it then hears it.
            if (_saves.Failed(error) is { ReplyTo: { } waiting } waited)
                waiting.Tell(new CheckpointSaved(waited.Path, Version, error, RunFailed: true));
            return;
        }
        if (_saves.Written() is { } next) StartWriting(next);
    }

    private void Connect(TensorConnection connection)
    {
        string id = connection.PeerId ?? "";
        if (_standbys.Admits(id))
        {
            ConnectStandby(connection);
            return;
        }
        if (KeyRangeStreams.TryParse(id, out _, out int range))
        {
            // A key range's stream goes to the range's server, whose address the job names: not here.
            Refuse(connection, id, $"key range {range}'s streams go to that range's server, not to the parameter server");
            return;
        }
        if (_connections.Accept(connection, connection.PeerToken) is { } refusal)
        {
            Refuse(connection, id, refusal);
            return;
        }
        var self = Self;
        // The thread that hands a frame over runs this actor on it (its dispatcher's SenderThreadExecutor), with no wake-up.
        connection.Start((c, frame) => SenderThreadExecutor.RunHere(self, new FrameArrived(c, frame)),
            (c, closed) => self.Tell(new DataPlaneClosed(c, closed)));
        // With key ranges the weights go out on the range streams, each range as that stream connects.
        if (_parts is null) _applier.Weights.SendOn(connection, new FrameHeader(FrameKind.Weights, WeightsVersion: Version));
        _log.Information("Data plane: worker {Worker} connected from {Peer}; sent weights version {Version}", id, connection.Peer, Version);
        _coordinator.Tell(new WorkerConnected(id));
    }

    private void Refuse(TensorConnection connection, string id, string refusal)
    {
        _log.Warning("Data plane: refused {Peer} ({Worker}): {Reason}", connection.Peer, id, refusal);
        connection.Refuse(refusal);
    }

    /// <summary>
    /// A plan for the step now being aggregated (the first, or a new attempt) starts at once; a plan for a later step
    /// (the coordinator sends some ahead) waits until the step before it is applied, a newer attempt replacing an older;
    /// a plan for a step already applied is a race the coordinator resolves itself, and one further ahead than the
    /// coordinator plans is a protocol error.
    /// </summary>
    private void Begin(BeginStep begin)
    {
        _coordinator = Sender;
        if (begin.Step > Version + _plansAhead)
            _log.Warning("Ignored a plan for step {Step} while at step {Current}", begin.Step + 1, Version + 1);
        else if (begin.Step > Version)
        {
            _ahead.RemoveAll(b => b.Step == begin.Step);
            _ahead.Add(begin);
        }
        else if (begin.Step == Version)
        {
            _exchangeStarted = Stopwatch.GetTimestamp();
            Aggregate(begin);
        }
        else
            // The coordinator planned a step again (a worker lost) before it heard that the step was applied: its
            // StepApplied is on the way and ends that plan.
            _log.Debug("Ignored a plan for step {Step}, already applied, while at step {Current}", begin.Step + 1, Version + 1);
    }

    private void Aggregate(BeginStep begin)
    {
        _endsEpoch = begin.EndsEpoch;
        _batchNorm.Begin(begin.Step, begin.Attempt, begin.Shards);
        _aggregator.Begin(begin.Step, begin.Attempt, begin.Shards);
        _parts?.Begin(begin.Step, begin.Attempt, begin.Shards.Length);
        foreach (var range in _ranges) range.Tell(new BeginRangeStep(begin.Step, begin.Attempt, begin.Shards.Length));
        _screening.Begin(begin);
    }

    private void OnFrame(FrameArrived arrived)
    {
        var header = arrived.Frame.Header;
        string worker = arrived.Connection.PeerId ?? "";
        switch (header.Kind)
        {
            case FrameKind.Gradients when _parts is null:
                OnGradients(worker, header, arrived.Frame.Payload);
                break;
            case FrameKind.GradientsBf16 or FrameKind.GradientsFp16 when _parts is null:
                OnPackedGradients(worker, arrived);
                break;
            case FrameKind.ResultHead when _parts is not null:
                OnHead(worker, header, arrived.Frame.Payload);
                break;
            case FrameKind.Moments:
                _batchNorm.Offer(StatisticsKind.Moments, arrived.Connection, arrived.Connection.PeerId, header, arrived.Frame.Payload);
                break;
            case FrameKind.GradientSums:
                _batchNorm.Offer(StatisticsKind.GradientSums, arrived.Connection, arrived.Connection.PeerId, header, arrived.Frame.Payload);
                break;
            default:
                _payloads.Return(arrived.Frame.Payload);
                _log.Warning("Data plane: worker {Worker} sent a {Kind} frame, which this parameter server does not take on a worker's main " +
                             "stream (key ranges on streams of their own: {Ranges}); closing", worker, header.Kind, _ranges.Length);
                arrived.Connection.Dispose();
                break;
        }
    }

    private void OnPart(PartIn partIn)
    {
        var (worker, report) = (partIn.Worker, partIn.Report);
        // The head counts a result from a worker its shard is not assigned to; its parts are dropped without counting again
        // (the range's server keeps such a part until the next step begins there, one per shard and admitted worker at most).
        if (!_screening.Assigned(report.Step, report.Attempt, report.ShardId, worker)) return;
        var piece = report.State == PieceState.Held ? _parts!.OfferPart(worker, report) : new PieceOutcome(report.State, Reason: report.Reason);
        switch (piece.State)
        {
            case PieceState.Whole:
                OfferWhole(worker, piece);
                break;
            case PieceState.Malformed:
                Reject(report.ShardId, worker, piece.Reason!, ShardVerdict.Rejected);
                break;
            case PieceState.Dropped:
                _log.Debug("Step {Step}: dropped {Piece} from worker {Worker}", _aggregator.Step + 1, piece.Reason, worker);
                break;
        }
    }

    private void OnHead(string worker, FrameHeader header, float[] payload)
    {
        if (!Admitted(worker, header, payload)) return;
        var head = Result(header, payload);
        var piece = _parts!.OfferHead(worker, head);
        switch (piece.State)
        {
            case PieceState.Whole:
                OfferWhole(worker, piece);
                break;
            case PieceState.NotCurrent:
                Take(worker, head, _aggregator.Offer(head, out var reason), reason);
                break;
            case PieceState.Dropped:
                _log.Debug("Step {Step}: dropped {Piece} from worker {Worker}", _aggregator.Step + 1, piece.Reason, worker);
                break;
        }
    }

    private void OfferWhole(string worker, PieceOutcome piece) =>
        Take(worker, piece.Head, _aggregator.OfferHead(piece.Head, piece.Norm, piece.Finite, out var reason), reason);

    private void OnPackedGradients(string worker, FrameArrived arrived)
    {
        float[] payload;
        try
        {
            payload = _packed.Unpack(arrived.Frame, GradientFrames.Dtype(arrived.Frame.Header.Kind)!.Value);
        }
        catch (FrameProtocolException e)
        {
            _log.Warning("Data plane: worker {Worker} sent a bad frame ({Reason}); closing", worker, e.Message);
            arrived.Connection.Dispose();
            return;
        }
        OnGradients(worker, arrived.Frame.Header, payload);
    }

    private void OnGradients(string worker, FrameHeader header, float[] payload)
    {
        if (!Admitted(worker, header, payload)) return;
        var result = Result(header, payload);
        Take(worker, result, _aggregator.Offer(result, out var reason), reason);
    }

    private bool Admitted(string worker, FrameHeader header, float[] payload)
    {
        if (_screening.Admits(header.Step, header.Attempt, header.ShardId, worker)) return true;
        _payloads.Return(payload);
        _log.Warning("Step {Step}: dropped a result of shard {Shard} from worker {Worker}, which that shard is not assigned to",
            header.Step + 1, header.ShardId, worker);
        return false;
    }

    private static ShardResult Result(FrameHeader header, float[] payload) =>
        new(header.Step, header.Attempt, header.ShardId, header.SampleCount, header.LossSum, header.Correct, payload, header.ComputeSeconds);

    /// <summary>What follows the aggregator's verdict on a result (whole, or a head with its parts' norm).</summary>
    private void Take(string worker, ShardResult result, ShardVerdict verdict, string? reason)
    {
        switch (verdict)
        {
            case ShardVerdict.Accepted:
                _screening.Accepted(result.ShardId, worker);
                _coordinator.Tell(new ShardArrived(result.Step, result.Attempt, result.ShardId, worker, result.Rows, result.ComputeSeconds));
                break;
            case ShardVerdict.Rejected or ShardVerdict.NotFinite:
                _payloads.Return(result.Payload);
                Reject(result.ShardId, worker, reason!, verdict);
                return;
            default:
                _payloads.Return(result.Payload);
                _log.Debug("Step {Step}: dropped a {Verdict} result of shard {Shard} from worker {Worker}: {Reason}",
                    result.Step + 1, verdict, result.ShardId, worker, reason);
                return;
        }
        if (!_aggregator.IsComplete) return;
        foreach (var outlier in _screening.Outliers(_aggregator))
        {
            _aggregator.Withdraw(outlier.ShardId);
            Reject(outlier.ShardId, outlier.WorkerId, $"its gradient norm is {outlier.Ratio:F1} times its step's others " +
                                                       $"(limit {_screening.Rule.MaxRatio:G})", ShardVerdict.Outlier);
        }
        if (!_aggregator.IsComplete) return;
        LogReviews();
        Apply();
    }

    private void Reject(int shardId, string worker, string reason, ShardVerdict verdict)
    {
        long step = _aggregator.Step;
        _screening.Rejected(step, _aggregator.Attempt, shardId, worker);
        // An outlier is a suspicion until another worker computes the shard (LogReviews); malformed and non-finite results are faults now.
        if (verdict == ShardVerdict.Outlier)
            _log.Information("Step {Step}: shard {Shard} from worker {Worker} is computed again on another worker: {Reason}",
                step + 1, shardId, worker, reason);
        else
            _log.Warning("Step {Step}: rejected shard {Shard} from worker {Worker}: {Reason}", step + 1, shardId, worker, reason);
        _coordinator.Tell(new ShardRejected(step, _aggregator.Attempt, shardId, worker, reason, verdict));
    }

    private void LogReviews()
    {
        foreach (var review in _screening.Reviews())
        {
            if (review.Faulty)
            {
                _log.Warning("Step {Step}: worker {Worker} sent a wrong gradient for shard {Shard}: another worker's result differs",
                    _aggregator.Step + 1, review.WorkerId, review.ShardId);
                _coordinator.Tell(new WrongGradient(_aggregator.Step, review.WorkerId));
            }
            else
                _log.Information("Step {Step}: shard {Shard}'s large gradient is the data's: another worker computed the same as worker {Worker}",
                    _aggregator.Step + 1, review.ShardId, review.WorkerId);
        }
    }

    private void Apply()
    {
        long applyStarted = Stopwatch.GetTimestamp();
        double exchange = Stopwatch.GetElapsedTime(_exchangeStarted, applyStarted).TotalSeconds;
        if (_ranges.Length > 0)
        {
            StepRanges(applyStarted, exchange);
            return;
        }
        if (!_applier.TryApply(_aggregator, out var outcome, out var failure))
        {
            _coordinator.Tell(new StepFailed(_aggregator.Step, failure));
            return;
        }
        Applied(outcome, applyStarted, exchange);
    }

    /// <summary>
    /// Has every range's server sum and step the complete step, and waits for all of them (other messages wait too) before
    /// the one decision: commit, or discard and report the step failed. A range that does not answer within the range
    /// timeout leaves the step undecided: it counts as lost (<see cref="AwaitRanges{TAnswer}"/>).
    /// </summary>
    private void StepRanges(long applyStarted, double exchange)
    {
        long step = _aggregator.Step;
        var ask = new SumAndStepRange(step, _aggregator.Attempt, [.. _screening.Senders], _applier.Observed);
        foreach (var range in _ranges) range.Tell(ask);
        var stepped = new RangeStepped[_ranges.Length];
        int answered = 0;
        AwaitRanges($"summing and stepping step {step + 1}", stepped, () => Receive<RangeStepped>(answer => answer.Step == step, answer =>
        {
            stepped[answer.Range] = answer;
            _rangeStreams[answer.Range] = answer.Streams;
            _rangeAnswers++;
            if (answer.SteppedAhead) _rangeStepsAhead++;
            if (++answered < stepped.Length) return;
            EndWaiting();
            if (_applier.TryCommitPlaced(_aggregator, stepped, out var outcome, out var failure))
                Applied(outcome, applyStarted, exchange);
            else
            {
                foreach (var range in _ranges) range.Tell(new DiscardRange(step));
                _coordinator.Tell(new StepFailed(step, failure));
            }
            Stash.UnstashAll();
        }));
    }

    /// <summary>
    /// Runs <paramref name="use"/> once the whole state of the current version is here: at once, unless the key ranges are
    /// served apart and were not gathered since the last step; then after gathering every range (other messages waiting meanwhile).
    /// </summary>
    private void WithWholeState(Action use)
    {
        if (_applier.HoldsCurrentState)
        {
            use();
            return;
        }
        // One gather serves every use of the version: a checkpoint due and an epoch's evaluation after one step, say.
        _afterGather.Add(use);
        if (_afterGather.Count > 1) return;
        foreach (var range in _ranges) range.Tell(GatherRange.Instance);
        var gathered = new RangeGathered[_ranges.Length];
        int answered = 0;
        AwaitRanges($"gathering version {Version}", gathered, () => Receive<RangeGathered>(answer =>
        {
            gathered[answer.Range] = answer;
            if (++answered < gathered.Length) return;
            EndWaiting();
            _applier.Gathered(gathered);
            var uses = _afterGather.ToArray();
            _afterGather.Clear();
            foreach (var waiting in uses) waiting();
            Stash.UnstashAll();
        }));
    }

    /// <summary>
    /// Waits for the ranges' servers: <paramref name="answers"/> takes their answers into <paramref name="answered"/> (one slot a
    /// range), everything else waits in the stash. The first server that has not answered within the range timeout is lost,
    /// as one whose stream closed: a node cut off without a word (a partition, a host gone) leaves its stream open.
    /// </summary>
    private void AwaitRanges<TAnswer>(string what, TAnswer?[] answered, Action answers) where TAnswer : class
    {
        long wait = ++_waits;
        _waiting = Context.System.Scheduler.ScheduleTellOnceCancelable(_settings.RangeTimeout, Self, new RangesTimedOut(wait), Self);
        BecomeStacked(() =>
        {
            answers();
            Receive<RangesTimedOut>(timedOut => timedOut.Wait == wait, _ => LostWhileWaiting(new RangeServerLost(Array.IndexOf(answered, null),
                $"it did not answer within {_settings.RangeTimeout.TotalSeconds:G} s (disttrainer.coordinator.ps-range-timeout) while {what}")));
            Receive<RangeServerLost>(LostWhileWaiting);
            ReceiveAny(_ => Stash.Stash());
        });
    }

    private void LostWhileWaiting(RangeServerLost lost)
    {
        EndWaiting();
        _afterGather.Clear();
        Lost(lost);
        Stash.UnstashAll();
    }

    private void EndWaiting()
    {
        _waiting?.Cancel();
        _waiting = null;
        UnbecomeStacked();
    }

    private void Applied(BatchOutcome outcome, long applyStarted, double exchange)
    {
        long step = _aggregator.Step;
        _screening.Applied();
        var senders = _screening.Senders;
        bool evaluate = _endsEpoch;
        if (_ahead.Find(b => b.Step == Version) is { } next)
            Aggregate(next);
        _ahead.RemoveAll(b => b.Step <= Version);
        // The coordinator hears first: it plans the step after next while the weights go out, and its plan must reach the
        // workers (through remoting, on cores the shards are computing on) before those weights do, or they wait for it.
        // Sending the weights is the next exchange's first part, so the server's time ends here.
        _exchangeStarted = Stopwatch.GetTimestamp();
        _coordinator.Tell(new StepApplied(step, Version, outcome,
            new AggregationCounts(_aggregator.Duplicates, _aggregator.Late, _aggregator.Rejected, _screening.Unassigned),
            [.. _connections.TrafficByWorker().Select(worker => new StreamTraffic(worker.Worker, null, worker.Traffic)), .. _rangeStreams.SelectMany(r => r)],
            new ServerTimes(exchange, Stopwatch.GetElapsedTime(applyStarted, _exchangeStarted).TotalSeconds), senders));
        // With key ranges each range's server sends its range of the new weights on its streams.
        if (_ranges.Length == 0)
            foreach (var connection in _connections.Current)
                _applier.Weights.SendOn(connection, new FrameHeader(FrameKind.Weights, step + 1, Version));
        foreach (var range in _ranges) range.Tell(new CommitRange(step));
        if (_checkpoints is { } plan && plan.IsDue(Version) && _saves.Due(plan.Path, Version) is { } job) StartWriting(job);
        if (evaluate) WithWholeState(() => _coordinator.Tell(new ModelEvaluated(_snapshot.Evaluate())));
    }

    /// <summary>A worker's data-plane stream passed the handshake (from the listener's thread).</summary>
    public sealed record DataPlaneConnected(TensorConnection Connection) : INoSerializationVerificationNeeded;

    private sealed record DataPlaneClosed(TensorConnection Connection, ConnectionClosed Reason) : INoSerializationVerificationNeeded;

    private sealed record FrameArrived(TensorConnection Connection, ReceivedFrame Frame) : INoSerializationVerificationNeeded;

    private sealed record RangesTimedOut(long Wait);

    private sealed record CheckpointWritten(CheckpointJob Job, long Step, string? Error) : INoSerializationVerificationNeeded;
}
