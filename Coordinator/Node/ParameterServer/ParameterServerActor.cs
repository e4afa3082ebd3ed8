using System.Diagnostics;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
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
/// (<see cref="ModelSnapshot"/>). With the parameters cut into key ranges (--ps-shards above 1), each worker has one stream
/// more per range: a result comes as a head on the main stream and a gradient part per range on the range's stream, each
/// part checked and kept by its range's <see cref="RangeIntake"/>, which reports it to <see cref="ShardParts"/> as the
/// step's master sees results (their heads and their parts' norms); each range of the new weights goes out on its range's
/// stream. It copies the state to save and a task writes it (<see cref="CheckpointWriter"/>,
/// retries included), one write at a time (<see cref="CheckpointQueue"/>), so the next steps are not held behind
/// the disk; a periodic checkpoint that fails for good is reported to the coordinator, which ends the run. Each periodic
/// checkpoint also goes to the standby coordinators' streams (<see cref="SnapshotFeed"/>), kept apart from the workers'.
/// Reports to the coordinator (the sender of its commands). Its data-plane callbacks and the writing task only
/// Tell it messages; all state changes happen in Receive. Supervision: it has no children; the coordinator's
/// strategy stops it on failure (state cannot be rebuilt mid-run).
/// </summary>
public sealed partial class ParameterServerActor : ReceiveActor
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
    // Each worker's stream per key range, by range; none without ranges.
    private readonly DataPlaneConnections<TensorConnection>[] _rangeStreams;
    private readonly int[] _cuts;
    private readonly ShardParts? _parts;
    private readonly RangeIntake[] _intakes;
    private readonly KeyRangeGradients? _rangeGradients;
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
        _cuts = _applier.Cuts;
        bool ranged = settings.RangeStreams && _applier.Shards > 1;
        _rangeStreams = [.. Enumerable.Range(0, ranged ? _applier.Shards : 0)
            .Select(_ => new DataPlaneConnections<TensorConnection>(RangeStreamWorker, DataPlaneTraffic.Of))];
        _parts = ranged ? new ShardParts(_applier.Shards, _payloads.Return) : null;
        _intakes = [.. Enumerable.Range(0, _rangeStreams.Length)
            .Select(range => new RangeIntake(range, _cuts[range], _cuts[range + 1] - _cuts[range], _payloads.Return))];
        _rangeGradients = ranged ? new KeyRangeGradients(_intakes, _cuts) : null;
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

    protected override void PostStop()
    {
        // Between two messages no step is half done: the model and the optimizer then hold a step a fresh coordinator
        // node can train on from (its node removed from the cluster, this one is stopped with the actor system).
        _stateAtStop?.Stopped(_applier.TryWriteModel() ? Version : null);
        _connections.Dispose();
        foreach (var streams in _rangeStreams) streams.Dispose();
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
            foreach (var streams in _rangeStreams) streams.Admit(admit.WorkerId, admit.StreamToken);
        });
        Receive<AdmitStandby>(admit => _standbys.Admit(admit.Node, admit.StreamToken));
        Receive<DataPlaneConnected>(connected => Connect(connected.Connection));
        Receive<DropWorker>(drop =>
        {
            foreach (var streams in _rangeStreams) streams.Drop(drop.WorkerId);
            if (_connections.Drop(drop.WorkerId))
                _log.Information("Data plane: closed the stream of worker {Worker}, lost by the coordinator: {Reason}", drop.WorkerId, drop.Reason);
        });
        Receive<DataPlaneClosed>(closed =>
        {
            if (ForgetStandby(closed)) return;
            if (_connections.Forget(closed.Connection) is not { } id) return;
            foreach (var streams in _rangeStreams) streams.Close(id);
            _log.Warning("Data plane: worker {Worker} disconnected: {Reason}", id, closed.Reason.Message);
            _coordinator.Tell(new WorkerDisconnected(id, closed.Reason.Message));
        });
        Receive<RangeStreamClosed>(closed =>
        {
            // The worker's main stream goes with it: its closing reports the worker lost, once.
            if (_rangeStreams[closed.Range].Forget(closed.Connection) is { } id) _connections.Close(id);
        });
        Receive<FrameArrived>(OnFrame);
        Receive<RangeFrameArrived>(OnRangeFrame);
        Receive<BeginStep>(Begin);
        Receive<ShardReassigned>(_screening.Reassigned);
        ReceiveModelRequests();
        Receive<RunEnded>(_ =>
        {
            if (_screening.Rule.Enabled)
                _log.Information("Robust aggregation: the largest ratio of an applied shard's gradient norm to its step's others was " +
                                 "{Ratio:F2} (limit {Limit})", _screening.Rule.LargestRatio, _screening.Rule.MaxRatio);
            Become(Ended);
        });
    }

    /// <summary>After the run the weights are final: the model can still be evaluated and saved; workers leave.</summary>
    private void Ended()
    {
        Receive<DataPlaneConnected>(connected =>
        {
            connected.Connection.SendText(new FrameHeader(FrameKind.Refused), "the run is over");
            connected.Connection.Dispose();
        });
        Receive<DataPlaneClosed>(closed =>
        {
            if (ForgetStandby(closed)) return;
            if (_connections.Forget(closed.Connection) is { } id) _log.Information("Data plane: worker {Worker} left after the run", id);
        });
        Receive<RangeStreamClosed>(closed => _rangeStreams[closed.Range].Forget(closed.Connection));
        ReceiveModelRequests();
        ReceiveAny(_ => { });
    }

    private void ReceiveModelRequests()
    {
        Receive<EvaluateModel>(_ => Sender.Tell(new ModelEvaluated(_snapshot.Evaluate())));
        Receive<SaveCheckpoint>(save =>
        {
            if (_saves.Requested(save.Path, Sender, out var refusal) is { } job) StartWriting(job);
            else if (refusal is not null) Sender.Tell(new CheckpointSaved(save.Path, Version, refusal));
        });
        Receive<CheckpointWritten>(Written);
        Receive<ExportModel>(_ => Sender.Tell(_snapshot.Export()));
    }

    /// <summary>Copies the state to save here, between two messages, and writes it on a task; the result comes back as a message.</summary>
    private void StartWriting(CheckpointJob job)
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
            ConnectRange(connection, range);
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

    private void ConnectRange(TensorConnection connection, int range)
    {
        string id = connection.PeerId ?? "";
        string? refusal = (uint)range < (uint)_rangeStreams.Length
            ? _rangeStreams[range].Accept(connection, connection.PeerToken)
            : $"this run's parameters are cut into {_rangeStreams.Length} key ranges (--ps-shards {_applier.Shards}); there is no range {range}";
        if (refusal is not null)
        {
            Refuse(connection, id, refusal);
            return;
        }
        var self = Self;
        string worker = RangeStreamWorker(connection);
        connection.Start((c, frame) => SenderThreadExecutor.RunHere(self, new RangeFrameArrived(c, worker, range, frame)),
            (c, closed) => self.Tell(new RangeStreamClosed(c, range, closed)));
        SendRange(connection, range, new FrameHeader(FrameKind.WeightsRange, WeightsVersion: Version, Layer: range));
        _log.Debug("Data plane: {Peer} connected for key range {Range}", id, range);
    }

    private void Refuse(TensorConnection connection, string id, string refusal)
    {
        _log.Warning("Data plane: refused {Peer} ({Worker}): {Reason}", connection.Peer, id, refusal);
        if (!connection.SendText(new FrameHeader(FrameKind.Refused), refusal, connection.Dispose))
            connection.Dispose();
    }

    private void SendRange(TensorConnection connection, int range, FrameHeader header) =>
        _applier.RangeWeights(range).SendOn(connection, header);

    private static string RangeStreamWorker(TensorConnection connection) =>
        KeyRangeStreams.TryParse(connection.PeerId ?? "", out var worker, out _) ? worker : connection.PeerId ?? "";

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
        foreach (var intake in _intakes) intake.Begin(begin.Step, begin.Attempt, begin.Shards.Length);
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
                             "stream (key ranges: {Ranges}); closing", worker, header.Kind, _rangeStreams.Length);
                arrived.Connection.Dispose();
                break;
        }
    }

    private void OnRangeFrame(RangeFrameArrived arrived)
    {
        var (header, worker) = (arrived.Frame.Header, arrived.Worker);
        if (header.Kind != FrameKind.GradientPart || header.Layer != arrived.Range)
        {
            _payloads.Return(arrived.Frame.Payload);
            _log.Warning("Data plane: worker {Worker} sent a {Kind} frame for range {Layer} on its stream of key range {Range}, which takes " +
                         "that range's gradient parts alone; closing", worker, header.Kind, header.Layer, arrived.Range);
            arrived.Connection.Dispose();
            return;
        }
        // The head counts a result from a worker its shard is not assigned to; its parts are dropped without counting again.
        if (!_screening.Assigned(header.Step, header.Attempt, header.ShardId, worker))
        {
            _payloads.Return(arrived.Frame.Payload);
            return;
        }
        var report = _intakes[arrived.Range].Offer(worker, header.Step, header.Attempt, header.ShardId, arrived.Frame.Payload);
        var piece = report.State == PieceState.Held ? _parts!.OfferPart(worker, report) : new PieceOutcome(report.State, Reason: report.Reason);
        switch (piece.State)
        {
            case PieceState.Whole:
                OfferWhole(worker, piece);
                break;
            case PieceState.Malformed:
                Reject(header.ShardId, worker, piece.Reason!, ShardVerdict.Rejected);
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
        long step = _aggregator.Step;
        foreach (var intake in _intakes) intake.Sum(_screening.Senders);
        if (!_applier.TryApply(_aggregator, (IShardGradients?)_rangeGradients ?? _aggregator, out var outcome, out var failure))
        {
            _coordinator.Tell(new StepFailed(step, failure));
            return;
        }
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
            _rangeStreams.Aggregate(_connections.Traffic, (total, streams) => total.Plus(streams.Traffic)),
            new ServerTimes(exchange, Stopwatch.GetElapsedTime(applyStarted, _exchangeStarted).TotalSeconds), senders));
        if (_parts is null)
            foreach (var connection in _connections.Current)
                _applier.Weights.SendOn(connection, new FrameHeader(FrameKind.Weights, step + 1, Version));
        for (int range = 0; range < _rangeStreams.Length; range++)
            foreach (var connection in _rangeStreams[range].Current)
                SendRange(connection, range, new FrameHeader(FrameKind.WeightsRange, step + 1, Version, Layer: range));
        if (_checkpoints is { } plan && plan.IsDue(Version) && _saves.Due(plan.Path, Version) is { } job) StartWriting(job);
        if (evaluate) _coordinator.Tell(new ModelEvaluated(_snapshot.Evaluate()));
    }

    /// <summary>A worker's data-plane stream passed the handshake (from the listener's thread).</summary>
    public sealed record DataPlaneConnected(TensorConnection Connection) : INoSerializationVerificationNeeded;

    private sealed record DataPlaneClosed(TensorConnection Connection, ConnectionClosed Reason) : INoSerializationVerificationNeeded;

    private sealed record FrameArrived(TensorConnection Connection, ReceivedFrame Frame) : INoSerializationVerificationNeeded;

    /// <summary>A frame on <paramref name="Worker"/>'s stream of key range <paramref name="Range"/> (its id parsed once, as it connected).</summary>
    private sealed record RangeFrameArrived(TensorConnection Connection, string Worker, int Range, ReceivedFrame Frame)
        : INoSerializationVerificationNeeded;

    private sealed record RangeStreamClosed(TensorConnection Connection, int Range, ConnectionClosed Reason) : INoSerializationVerificationNeeded;

    private sealed record CheckpointWritten(CheckpointJob Job, long Step, string? Error) : INoSerializationVerificationNeeded;
}
