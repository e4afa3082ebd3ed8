using System.Diagnostics;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// Owns the weights, the optimizer state and the running statistics. Receives shard results on the
/// tensor data plane, takes each (step, shard) once, sums them in shard order, steps the optimizer,
/// folds the shards' batch statistics into the running ones, and sends the new weights to every
/// connected worker. Also reduces synchronised batch-norm statistics, evaluates the test set and
/// writes checkpoints. Reports to the coordinator (the sender of its commands). Its data-plane
/// callbacks only Tell it messages; all state changes happen in Receive. Supervision: it has no
/// children; the coordinator's strategy stops it on failure (state cannot be rebuilt mid-run).
/// </summary>
public sealed class ParameterServerActor : ReceiveActor
{
    public const string Name = "parameter-server";

    private readonly ParameterServerSettings _settings;
    private readonly Sequential _model;
    private readonly BatchRunner _evaluator;
    private readonly Dataset? _test;
    private readonly IOptimizer _optimizer;
    private readonly TensorListener _listener;
    private readonly ILogger _log;
    private readonly float[] _parameters, _gradients, _buffers;
    private readonly StepAggregator _aggregator;
    private readonly BatchStatisticsReducer<TensorConnection> _reducer;
    private readonly MomentsMerger[] _mergers;
    private readonly int[] _runningMeanOffsets;
    private readonly float[][] _mergedMean, _mergedVariance;
    private readonly HashSet<string> _admitted = new();
    private readonly Dictionary<string, TensorConnection> _connections = new();
    private readonly PayloadPool _payloads = PayloadPool.Shared;
    private SharedPayload _published;
    private DataPlaneTraffic _closedTraffic;
    private BeginStep? _next;
    private long _exchangeStarted = Stopwatch.GetTimestamp();
    private IActorRef _coordinator = ActorRefs.Nobody;

    public ParameterServerActor(ParameterServerSettings settings, BatchRunner evaluator, Dataset? test, IOptimizer optimizer,
        TensorListener listener, ILogger log)
    {
        _settings = settings;
        _evaluator = evaluator;
        _model = evaluator.Model;
        _test = test;
        _optimizer = optimizer;
        _listener = listener;
        _log = log;
        _parameters = new float[_model.ParameterCount];
        _gradients = new float[_model.ParameterCount];
        _buffers = new float[_model.BufferCount];
        _model.Backend.Download(_model.Parameters, _parameters);
        _model.Backend.Download(_model.Buffers, _buffers);
        _published = Publish();
        var layout = ShardPayloadLayout.Of(_model);
        _aggregator = new StepAggregator(layout, _payloads.Return);
        _reducer = new BatchStatisticsReducer<TensorConnection>(layout.BatchNormWidths);
        _mergers = layout.BatchNormWidths.Select(w => new MomentsMerger(w)).ToArray();
        _mergedMean = layout.BatchNormWidths.Select(w => new float[w]).ToArray();
        _mergedVariance = layout.BatchNormWidths.Select(w => new float[w]).ToArray();
        _runningMeanOffsets = _model.BatchNormLayers
            .Select(b => _model.BufferLayout.Single(p => p.Name == $"{b.Index}.running_mean").Offset).ToArray();

        Training();
    }

    public static Props Props(ParameterServerSettings settings, BatchRunner evaluator, Dataset? test, IOptimizer optimizer,
        TensorListener listener, ILogger log) =>
        Akka.Actor.Props.Create(() => new ParameterServerActor(settings, evaluator, test, optimizer, listener, log));

    /// <summary>The version of the weights now published: the number of optimizer steps taken.</summary>
    private long Version => _optimizer.StepCount;

    protected override void PostStop()
    {
        foreach (var connection in _connections.Values) connection.Dispose();
        _listener.Dispose();
    }

    private void Training()
    {
        Receive<AdmitWorker>(admit =>
        {
            _coordinator = Sender;
            _admitted.Add(admit.WorkerId);
        });
        Receive<DataPlaneConnected>(connected => Connect(connected.Connection));
        Receive<DataPlaneClosed>(closed =>
        {
            if (Forget(closed.Connection) is not { } id) return;
            _log.Warning("Data plane: worker {Worker} disconnected: {Reason}", id, closed.Reason.Message);
            _coordinator.Tell(new WorkerDisconnected(id, closed.Reason.Message));
        });
        Receive<FrameArrived>(OnFrame);
        Receive<BeginStep>(Begin);
        ReceiveModelRequests();
        Receive<RunEnded>(_ => Become(Ended));
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
            if (Forget(closed.Connection) is { } id) _log.Information("Data plane: worker {Worker} left after the run", id);
        });
        ReceiveModelRequests();
        ReceiveAny(_ => { });
    }

    private void ReceiveModelRequests()
    {
        Receive<EvaluateModel>(_ => Sender.Tell(new ModelEvaluated(Evaluate())));
        Receive<SaveCheckpoint>(save => Sender.Tell(Save(save.Path)));
        Receive<ExportModel>(_ =>
        {
            SyncModel();
            Sender.Tell(new ModelExported(Version));
        });
    }

    private void Connect(TensorConnection connection)
    {
        string id = connection.PeerId ?? "";
        if (!_admitted.Contains(id))
        {
            _log.Warning("Data plane: refused {Peer} ({Worker}), not a registered worker", connection.Peer, id);
            if (!connection.SendText(new FrameHeader(FrameKind.Refused), $"worker '{id}' is not registered with the coordinator",
                    connection.Dispose))
                connection.Dispose();
            return;
        }
        if (_connections.Remove(id, out var previous))
        {
            previous.Dispose();
            _closedTraffic = _closedTraffic.Plus(previous);
        }
        _connections[id] = connection;
        var self = Self;
        connection.Start((c, frame) => self.Tell(new FrameArrived(c, frame)), (c, closed) => self.Tell(new DataPlaneClosed(c, closed)));
        _published.SendOn(connection, new FrameHeader(FrameKind.Weights, WeightsVersion: Version));
        _log.Information("Data plane: worker {Worker} connected from {Peer}; sent weights version {Version}", id, connection.Peer, Version);
        _coordinator.Tell(new WorkerConnected(id));
    }

    /// <summary>Drops a closed stream; the worker's id when it was that worker's current stream.</summary>
    private string? Forget(TensorConnection connection)
    {
        string id = connection.PeerId ?? "";
        if (!_connections.TryGetValue(id, out var current) || current != connection) return null;
        _connections.Remove(id);
        _closedTraffic = _closedTraffic.Plus(current);
        return id;
    }

    /// <summary>
    /// A plan for the step now being aggregated (the first, or a new attempt) starts at once; a plan
    /// for the step after it (the coordinator sends one ahead) waits until this one is applied.
    /// </summary>
    private void Begin(BeginStep begin)
    {
        _coordinator = Sender;
        if (begin.Step == Version + 1)
            _next = begin;
        else if (begin.Step == Version)
        {
            _exchangeStarted = Stopwatch.GetTimestamp();
            Aggregate(begin);
        }
        else
            _log.Warning("Ignored a plan for step {Step} while at step {Current}", begin.Step + 1, Version + 1);
    }

    private void Aggregate(BeginStep begin)
    {
        var (step, attempt) = (_reducer.Step, _reducer.Attempt);
        foreach (var waiting in _reducer.Begin(begin.Step, begin.Attempt, begin.Shards))
            waiting.Send(new FrameHeader(FrameKind.MomentsReduced, step, SampleCount: -1, Attempt: attempt), ReadOnlyMemory<float>.Empty);
        _aggregator.Begin(begin.Step, begin.Attempt, begin.Shards);
    }

    private void OnFrame(FrameArrived arrived)
    {
        var header = arrived.Frame.Header;
        string worker = arrived.Connection.PeerId ?? "";
        switch (header.Kind)
        {
            case FrameKind.Gradients:
                OnGradients(worker, header, arrived.Frame.Payload);
                break;
            case FrameKind.Moments:
                Reduce(StatisticsKind.Moments, FrameKind.MomentsReduced, arrived.Connection, header, arrived.Frame.Payload);
                break;
            case FrameKind.GradientSums:
                Reduce(StatisticsKind.GradientSums, FrameKind.GradientSumsReduced, arrived.Connection, header, arrived.Frame.Payload);
                break;
            default:
                _log.Warning("Data plane: worker {Worker} sent a {Kind} frame, which a parameter server does not take; closing", worker, header.Kind);
                arrived.Connection.Dispose();
                break;
        }
    }

    private void OnGradients(string worker, FrameHeader header, float[] payload)
    {
        var result = new ShardResult(header.Step, header.Attempt, header.ShardId, header.SampleCount, header.LossSum, header.Correct, payload);
        var verdict = _aggregator.Offer(result, out var reason);
        switch (verdict)
        {
            case ShardVerdict.Accepted:
                _coordinator.Tell(new ShardArrived(header.Step, header.Attempt, header.ShardId, worker, header.SampleCount, header.ComputeSeconds));
                break;
            case ShardVerdict.Rejected or ShardVerdict.NotFinite:
                _payloads.Return(payload);
                _log.Warning("Step {Step}: rejected shard {Shard} from worker {Worker}: {Reason}", header.Step + 1, header.ShardId, worker, reason);
                _coordinator.Tell(new ShardRejected(header.Step, header.Attempt, header.ShardId, worker, reason!,
                    verdict == ShardVerdict.NotFinite));
                return;
            default:
                _payloads.Return(payload);
                _log.Debug("Step {Step}: dropped a {Verdict} result of shard {Shard} from worker {Worker}: {Reason}",
                    header.Step + 1, verdict, header.ShardId, worker, reason);
                return;
        }
        if (_aggregator.IsComplete) Apply();
    }

    private void Apply()
    {
        long applyStarted = Stopwatch.GetTimestamp();
        double exchange = Stopwatch.GetElapsedTime(_exchangeStarted, applyStarted).TotalSeconds;
        long step = _aggregator.Step;
        _aggregator.SumGradients(_gradients);
        var outcome = _aggregator.Outcome();
        if (!Finite.All(_gradients))
        {
            _coordinator.Tell(new StepFailed(step, $"the summed gradient of step {step + 1} is not finite (each shard was); the weights of step {step} are kept"));
            return;
        }
        _settings.Gradients?.OnGradients(step, _gradients);
        _optimizer.Step(_parameters, _gradients);
        FoldRunningStatistics();
        var previous = _published;
        _published = Publish();
        previous.Release();
        if (_next is { } next && next.Step == Version)
            Aggregate(next);
        _next = null;
        foreach (var connection in _connections.Values)
            _published.SendOn(connection, new FrameHeader(FrameKind.Weights, step + 1, Version));
        _exchangeStarted = Stopwatch.GetTimestamp();
        if (_settings is { CheckpointEvery: { } every, CheckpointPath: { } path } && Version % every == 0)
        {
            var saved = Save(path);
            if (saved.Error is not null) _log.Error("Step {Step}: checkpoint {Path} failed: {Reason}", step + 1, path, saved.Error);
        }
        _coordinator.Tell(new StepApplied(step, Version, outcome,
            new AggregationCounts(_aggregator.Duplicates, _aggregator.Late, _aggregator.Rejected),
            _connections.Values.Aggregate(_closedTraffic, (total, connection) => total.Plus(connection)),
            new ServerTimes(exchange, Stopwatch.GetElapsedTime(applyStarted).TotalSeconds)));
    }

    /// <summary>
    /// The weights as sent: a pooled copy, since a send reads its memory later, on the writer thread,
    /// while the optimizer already works on the next step.
    /// </summary>
    private SharedPayload Publish()
    {
        var published = new SharedPayload(_payloads, _parameters.Length);
        _parameters.CopyTo(published.Array, 0);
        return published;
    }

    private void FoldRunningStatistics()
    {
        for (int i = 0; i < _mergers.Length; i++)
        {
            _aggregator.MergeMoments(i, _mergers[i]);
            _mergers[i].Result(_mergedMean[i], _mergedVariance[i]);
            int width = _mergers[i].Width;
            RunningStatistics.Fold(_buffers.AsSpan(_runningMeanOffsets[i], width),
                _buffers.AsSpan(_runningMeanOffsets[i] + width, width), _mergedMean[i], _mergedVariance[i], _mergers[i].Count);
            _model.BatchNormLayers[i].Layer.BatchesTracked++;
        }
    }

    private void Reduce(StatisticsKind kind, FrameKind answerKind, TensorConnection from, FrameHeader header, float[] payload)
    {
        ReductionOffer offer;
        IReadOnlyList<TensorConnection> answer;
        try
        {
            offer = _reducer.Offer(kind, header.Step, header.Attempt, header.ShardId, header.Layer, header.SampleCount, payload, from, out answer);
        }
        catch (ArgumentException e)
        {
            _log.Warning("Step {Step}: bad batch-norm statistics from worker {Worker}: {Reason}", header.Step + 1, from.PeerId, e.Message);
            offer = ReductionOffer.Stale();
            answer = [from];
        }
        if (offer.State == ReductionState.Pending) return;
        var reply = new FrameHeader(answerKind, header.Step, Layer: header.Layer,
            SampleCount: offer.State == ReductionState.Reduced ? offer.Rows : -1, Attempt: header.Attempt);
        foreach (var connection in answer)
            connection.Send(reply, offer.Values ?? ReadOnlyMemory<float>.Empty);
    }

    private void SyncModel()
    {
        _model.Backend.Upload(_parameters, _model.Parameters);
        _model.Backend.Upload(_buffers, _model.Buffers);
    }

    private BatchOutcome? Evaluate()
    {
        if (_test is not { Count: > 0 }) return null;
        SyncModel();
        return _evaluator.Evaluate(_test);
    }

    private CheckpointSaved Save(string path)
    {
        try
        {
            SyncModel();
            ModelCheckpoint.Save(path, _model, _optimizer);
            _log.Information("Checkpoint {Path} written at step {Step}", path, Version);
            return new CheckpointSaved(path, Version, null);
        }
        catch (IOException e)
        {
            return new CheckpointSaved(path, Version, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return new CheckpointSaved(path, Version, e.Message);
        }
    }

    /// <summary>A worker's data-plane stream passed the handshake (from the listener's thread).</summary>
    public sealed record DataPlaneConnected(TensorConnection Connection) : INoSerializationVerificationNeeded;

    private sealed record DataPlaneClosed(TensorConnection Connection, ConnectionClosed Reason) : INoSerializationVerificationNeeded;

    private sealed record FrameArrived(TensorConnection Connection, ReceivedFrame Frame) : INoSerializationVerificationNeeded;
}
