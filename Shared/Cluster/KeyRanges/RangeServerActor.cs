using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using Serilog;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// One key range's server: the range's streams of every admitted worker (admitted by the token of the worker's registration,
/// which the master forwards), the range's parts of the step being collected (<see cref="RangeIntake"/>, each reported to the
/// master as a <see cref="PartIn"/>, together as <see cref="PartReportBatch"/> says), and the range's weights and optimizer state (<see cref="RangeServer"/>), which change only
/// as the master decides: <see cref="SumAndStepRange"/>, then <see cref="CommitRange"/> (the new weights go out on the range's
/// streams) or <see cref="DiscardRange"/>. Once every shard's part is in, one each, it sums and steps the range beside its
/// weights before the master asks, and answers from that when the master's senders are those parts' (any other sum is
/// taken again from the master's senders, the step ahead forgotten). A part for a step the master has not yet begun here (its plan and the worker's part
/// race) waits, a bounded number of them, until it has. Nothing here needs the master's node: the master's messages come from
/// its stream to this range's host (<see cref="RangeHostActor"/>), and what this server tells the master goes back on it.
/// </summary>
public sealed class RangeServerActor : ReceiveActor, IWithTimers
{
    private readonly int _range;
    private readonly RangeServer _server;
    private readonly RangeIntake _intake;
    private readonly PartReportBatch _reports;
    private readonly Action<object> _master;
    private readonly PayloadPool _payloads;
    private readonly KeyRangeBounds _bounds;
    private readonly ILogger _log;
    private readonly float[] _gradient;
    private readonly List<PartArrived> _early = [];
    private readonly List<TensorConnection> _unadmitted = [];
    private readonly DataPlaneConnections<TensorConnection> _streams = new(WorkerOf, DataPlaneTraffic.Of);
    private SteppedAhead? _ahead;

    public ITimerScheduler Timers { get; set; } = null!;

    public RangeServerActor(int range, RangeServer server, Action<object> master, PayloadPool payloads, KeyRangeBounds bounds, ILogger log)
    {
        _bounds = bounds;
        _range = range;
        _server = server;
        _master = master;
        _payloads = payloads;
        _log = log;
        _intake = new RangeIntake(range, server.Range.Offset, server.Range.Length, payloads.Return, payloads.Rent);
        _reports = new PartReportBatch();
        _gradient = new float[server.Range.Length];
        Serving();
    }

    /// <summary>
    /// The server of <paramref name="range"/>, starting from <paramref name="server"/>; <paramref name="master"/> takes what it
    /// tells the step's master. Streams held until their worker's admission comes from the master (it travels there on another
    /// stream, so a worker can be quicker) and parts for a step not yet begun here are held within <paramref name="bounds"/>.
    /// </summary>
    public static Props Props(int range, RangeServer server, Action<object> master, PayloadPool payloads, KeyRangeBounds bounds, ILogger log) =>
        Akka.Actor.Props.Create(() => new RangeServerActor(range, server, master, payloads, bounds, log));

    protected override void PostStop()
    {
        _streams.Dispose();
        foreach (var waiting in _unadmitted) waiting.Dispose();
        _intake.Begin(-1, 0, 0);
        foreach (var early in _early) _payloads.Return(early.Frame.Payload);
        _early.Clear();
    }

    private void Serving()
    {
        Receive<AdmitToRange>(Admit);
        Receive<AdmissionOverdue>(overdue =>
        {
            if (_unadmitted.Remove(overdue.Connection)) Refuse(overdue.Connection, overdue.Refusal);
        });
        Receive<DropFromRange>(drop => _streams.Drop(drop.WorkerId));
        Receive<CloseRangeStream>(close => _streams.Close(close.Worker));
        Receive<RangeStreamConnected>(connected => Connect(connected.Connection));
        Receive<StreamClosed>(Closed);
        Receive<PartArrived>(OnPart);
        Receive<ReportsLingered>(_ => SendReports(_reports.Take()));
        Receive<BeginRangeStep>(Begin);
        Receive<SumAndStepRange>(SumAndStep);
        Receive<CommitRange>(commit =>
        {
            _ahead = null;
            _server.Commit();
            var header = new FrameHeader(FrameKind.WeightsRange, commit.Step + 1, _server.Version, Layer: _range);
            foreach (var connection in _streams.Current) _server.Weights.SendOn(connection, header);
        });
        Receive<DiscardRange>(_ =>
        {
            _ahead = null;
            _server.Discard();
        });
        Receive<GatherRange>(_ => _master(Gathered()));
        Receive<RangeRunEnded>(_ => Become(Ended));
    }

    /// <summary>After the run no stream comes in and no part is kept; the range can still be gathered.</summary>
    private void Ended()
    {
        Receive<RangeStreamConnected>(connected => connected.Connection.Refuse("the run is over"));
        Receive<StreamClosed>(closed => _streams.Forget(closed.Connection));
        Receive<PartArrived>(arrived => _payloads.Return(arrived.Frame.Payload));
        Receive<GatherRange>(_ => _master(Gathered()));
        ReceiveAny(_ => { });
    }

    private void Admit(AdmitToRange admit)
    {
        _streams.Admit(admit.WorkerId, admit.StreamToken);
        foreach (var waiting in _unadmitted.Where(c => WorkerOf(c) == admit.WorkerId).ToArray())
        {
            _unadmitted.Remove(waiting);
            Timers.Cancel(waiting);
            Connect(waiting);
        }
    }

    private void Connect(TensorConnection connection)
    {
        if (_streams.Accept(connection, connection.PeerToken) is { } refusal)
        {
            if (!_streams.Admits(WorkerOf(connection)) && _unadmitted.Count < _bounds.UnadmittedStreams)
            {
                _unadmitted.Add(connection);
                Timers.StartSingleTimer(connection, new AdmissionOverdue(connection, refusal), _bounds.HandOverWait);
            }
            else
                Refuse(connection, refusal);
            return;
        }
        var self = Self;
        string worker = WorkerOf(connection);
        // The thread that hands a frame over runs this actor on it (its dispatcher's SenderThreadExecutor), with no wake-up.
        connection.Start((c, frame) => SenderThreadExecutor.RunHere(self, new PartArrived(c, worker, frame)),
            (c, closed) => self.Tell(new StreamClosed(c, closed)));
        _server.Weights.SendOn(connection, new FrameHeader(FrameKind.WeightsRange, WeightsVersion: _server.Version, Layer: _range));
        _log.Debug("Data plane: worker {Worker} connected for key range {Range}", worker, _range);
    }

    private void Refuse(TensorConnection connection, string refusal)
    {
        _log.Warning("Data plane: refused {Peer} ({Worker}) on key range {Range}: {Reason}", connection.Peer, connection.PeerId, _range, refusal);
        connection.Refuse(refusal);
    }

    private void Closed(StreamClosed closed)
    {
        if (_streams.Forget(closed.Connection) is { } worker) _master(new RangeStreamLost(_range, worker, closed.Reason.Message));
    }

    private void OnPart(PartArrived arrived)
    {
        var header = arrived.Frame.Header;
        if (GradientFrames.PartDtype(header.Kind) is not { } dtype || header.Layer != _range)
        {
            _payloads.Return(arrived.Frame.Payload);
            _log.Warning("Data plane: worker {Worker} sent a {Kind} frame for range {Layer} on its stream of key range {Range}, which takes " +
                         "that range's gradient parts alone; closing", arrived.Worker, header.Kind, header.Layer, _range);
            arrived.Connection.Dispose();
            return;
        }
        if ((header.Step, header.Attempt).CompareTo((_intake.Step, _intake.Attempt)) > 0)
        {
            if (_early.Count < _bounds.EarlyParts) _early.Add(arrived);
            else
            {
                _payloads.Return(arrived.Frame.Payload);
                _log.Warning("Step {Step}: dropped part {Range} of shard {Shard} from worker {Worker}: {Limit} parts already wait for " +
                             "steps not yet begun", header.Step + 1, _range, header.ShardId, arrived.Worker, _bounds.EarlyParts);
            }
            return;
        }
        var report = _intake.Offer(arrived.Worker, header.Step, header.Attempt, header.ShardId, arrived.Frame.Payload, dtype);
        bool lingering = _reports.Holding;
        if (_reports.Add(new PartIn(arrived.Worker, report), _intake.EveryShardIn) is { } reports) SendReports(reports);
        else if (!lingering) Timers.StartSingleTimer(ReportsLingered.Instance, ReportsLingered.Instance, _bounds.ReportLinger);
        if (report.State == PieceState.Held) StepAhead();
    }

    /// <summary>
    /// Once every shard's part is in, one each, the range is summed and stepped beside its weights at once, while the master
    /// still waits for the step's heads and other ranges: the sum the master will most likely ask for. Its answer then goes
    /// back as soon as it is asked (<see cref="SumAndStep"/>); the step waits for the master's decision as any does.
    /// </summary>
    private void StepAhead()
    {
        if (_ahead is not null || !_intake.TryOneSenderEach(out var senders)) return;
        _intake.Sum(senders);
        string? refusal = _server.SumAndStep(_intake, _gradient, out bool finite);
        _ahead = new SteppedAhead(_intake.Step, _intake.Attempt, senders, finite, refusal);
    }

    /// <summary>Forgets a step taken ahead that the master did not ask for, or asked for with other senders.</summary>
    private void DropAhead()
    {
        if (_ahead is null) return;
        _ahead = null;
        _server.Discard();
    }

    private void SendReports(PartsIn? reports)
    {
        if (reports is null) return;
        Timers.Cancel(ReportsLingered.Instance);
        _master(reports);
    }

    private void Begin(BeginRangeStep begin)
    {
        // Reports of the step before, if any still wait, go first: the master hears of every part once.
        SendReports(_reports.Take());
        DropAhead();
        _intake.Begin(begin.Step, begin.Attempt, begin.Shards);
        if (_early.Count == 0) return;
        var waiting = _early.ToArray();
        _early.Clear();
        foreach (var part in waiting) OnPart(part);
    }

    private void SumAndStep(SumAndStepRange step)
    {
        bool finite, steppedAhead = false;
        string? refusal;
        if (_ahead is { } ahead && ahead.Step == step.Step && ahead.Attempt == step.Attempt && ahead.Senders.AsSpan().SequenceEqual(step.Senders))
            (finite, refusal, _ahead, steppedAhead) = (ahead.Finite, ahead.Refusal, null, true);
        else
        {
            DropAhead();
            _intake.Sum(step.Senders);
            refusal = _server.SumAndStep(_intake, _gradient, out finite);
        }
        bool stepped = finite && refusal is null;
        _master(new RangeStepped(_range, step.Step, finite, refusal,
            [.. _streams.TrafficByWorker().Select(worker => new StreamTraffic(worker.Worker, _range, worker.Traffic))],
            step.Observed ? (float[])_gradient.Clone() : null,
            step.Observed && stepped ? _server.NextWeights.ToArray() : null, steppedAhead));
    }

    private RangeGathered Gathered() => new(_range, _server.Version, _server.Weights.Array.ToArray(), _server.CopyState());

    private static string WorkerOf(TensorConnection connection) =>
        KeyRangeStreams.TryParse(connection.PeerId ?? "", out var worker, out _) ? worker : connection.PeerId ?? "";

    /// <summary>A step summed and stepped before the master asked: from whose parts, and what it came to.</summary>
    private sealed record SteppedAhead(long Step, int Attempt, string[] Senders, bool Finite, string? Refusal);

    private sealed record PartArrived(TensorConnection Connection, string Worker, ReceivedFrame Frame) : INoSerializationVerificationNeeded;

    private sealed record ReportsLingered
    {
        public static readonly ReportsLingered Instance = new();
    }

    private sealed record AdmissionOverdue(TensorConnection Connection, string Refusal) : INoSerializationVerificationNeeded;

    private sealed record StreamClosed(TensorConnection Connection, ConnectionClosed Reason) : INoSerializationVerificationNeeded;
}
