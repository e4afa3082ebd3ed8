using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using Serilog;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>
/// Serves key ranges on a data-plane listener of its own. A range is served once its master's stream comes in, presenting
/// the token the master was given for that range (<see cref="ExpectMaster"/>), and hands the range over (<see cref="HostRange"/>,
/// its first message): a <see cref="RangeServerActor"/> then serves it, taking the master's messages from that stream and
/// answering on it, and taking each worker's stream of that range. A stream that comes before what it needs (a master's
/// before its range is expected here, a worker's before its range is handed over: each travels on another path than the
/// news it waits for) waits, within the host's <see cref="KeyRangeBounds"/> (how many, how long), then is
/// refused. A master's stream without its token, a stream that is not a key range's, or any other peer is refused at once
/// with a one-line reason. The master's stream closing stops the range; a newer master's stream for a range (a
/// coordinator that took over) replaces the older one's.
/// </summary>
public sealed class RangeHostActor : ReceiveActor, IWithTimers
{
    private readonly TensorListener _listener;
    private readonly PayloadPool _payloads;
    private readonly ILogger _log;
    private readonly Dictionary<int, string> _expected = [];
    private readonly Dictionary<int, Hosted> _hosted = [];
    private readonly List<Waiting> _waiting = [];
    private readonly KeyRangeBounds _bounds;
    // Each range served gets an actor name of its own: a newer master's range starts while the older one's actor stops.
    private long _served;

    public RangeHostActor(TensorListener listener, KeyRangeBounds bounds, ILogger log)
    {
        _listener = listener;
        _bounds = bounds;
        _payloads = listener.Options.Payloads;
        _log = log;
        Receive<ExpectMaster>(Expect);
        Receive<Connected>(connected => Connect(connected.Connection));
        Receive<ControlArrived>(OnControl);
        Receive<ControlClosed>(OnClosed);
        Receive<Overdue>(overdue =>
        {
            if (_waiting.Remove(overdue.Stream)) Refuse(overdue.Stream.Connection, $"key range {overdue.Stream.Range} is not served here");
        });
    }

    /// <summary>
    /// A host serving on <paramref name="listener"/>, whose connections must be told to it as <see cref="Connected"/>; a stream
    /// waits for what it needs within <paramref name="bounds"/>, as the servers of its ranges do.
    /// </summary>
    public static Props Props(TensorListener listener, KeyRangeBounds bounds, ILogger log) =>
        Akka.Actor.Props.Create(() => new RangeHostActor(listener, bounds, log));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PostStop()
    {
        foreach (var hosted in _hosted.Values) hosted.Control.Dispose();
        foreach (var waiting in _waiting) waiting.Connection.Dispose();
        _listener.Dispose();
    }

    private void Connect(TensorConnection connection)
    {
        string id = connection.PeerId ?? "";
        if (KeyRangeStreams.TryParseControl(id, out int controlled))
            AcceptMaster(connection, controlled);
        else if (!KeyRangeStreams.TryParse(id, out _, out int range))
            Refuse(connection, "this listener takes key-range streams alone");
        else if (_hosted.TryGetValue(range, out var hosted) && hosted.Server is { } server)
            server.Tell(new RangeStreamConnected(connection));
        else
            Wait(new Waiting(range, connection, Master: false));
    }

    private void Expect(ExpectMaster expect)
    {
        _expected[expect.Range] = expect.Token;
        foreach (var waiting in Take(expect.Range, master: true)) AcceptMaster(waiting.Connection, waiting.Range);
    }

    private void AcceptMaster(TensorConnection connection, int range)
    {
        if (!_expected.TryGetValue(range, out var token))
        {
            Wait(new Waiting(range, connection, Master: true));
            return;
        }
        if (connection.PeerToken is not { } presented ||
            !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(token)))
        {
            Refuse(connection, $"the stream did not present the token of key range {range}'s master");
            return;
        }
        if (_hosted.TryGetValue(range, out var older))
        {
            if (older.Token == token)
            {
                Refuse(connection, $"key range {range} has its master's stream already");
                return;
            }
            // A newer master (a coordinator that took over): the older one's stream and range go.
            _hosted.Remove(range);
            older.Control.Dispose();
            if (older.Server is { } stale) Context.Stop(stale);
        }
        _hosted[range] = new Hosted(connection, token);
        var self = Self;
        RangeControlReader.Start(connection, $"key range {range}'s master", _log,
            message => SenderThreadExecutor.RunHere(self, new ControlArrived(range, connection, message)),
            (c, closed) => self.Tell(new ControlClosed(range, c, closed.Message)));
    }

    private void OnControl(ControlArrived arrived)
    {
        if (!_hosted.TryGetValue(arrived.Range, out var hosted) || !ReferenceEquals(hosted.Control, arrived.Connection)) return;
        if (hosted.Server is { } server)
        {
            server.Tell(arrived.Message);
            return;
        }
        RangeServer range;
        try
        {
            range = arrived.Message is HostRange host && host.Range == arrived.Range
                ? RangeServer.Hosting(host, _payloads)
                : throw new ArgumentException($"its first message is a {arrived.Message.GetType().Name}, not the range {arrived.Range} it serves");
        }
        catch (ArgumentException e)
        {
            _log.Warning("Data plane: key range {Range}'s master could not hand the range over: {Reason}; closing", arrived.Range, e.Message);
            arrived.Connection.Dispose();
            return;
        }
        var control = arrived.Connection;
        var served = hosted.Server = Context.ActorOf(RangeServerActor.Props(arrived.Range, range,
            message => RangeControlFrames.Send(control, message), _payloads, _bounds, _log).WithDispatcher(Context.Props.Dispatcher),
            $"range-{arrived.Range}-{++_served}");
        _log.Debug("Key range {Range} ([{Offset}, {End})) served from version {Version}", arrived.Range, range.Range.Offset,
            range.Range.Offset + range.Range.Length, range.Version);
        foreach (var waiting in Take(arrived.Range, master: false)) served.Tell(new RangeStreamConnected(waiting.Connection));
    }

    private void OnClosed(ControlClosed closed)
    {
        if (!_hosted.TryGetValue(closed.Range, out var hosted) || !ReferenceEquals(hosted.Control, closed.Connection)) return;
        _hosted.Remove(closed.Range);
        if (hosted.Server is { } server) Context.Stop(server);
        // The master's stream closes at every run's end too: not a fault here; the master reports a lost range itself.
        _log.Debug("Key range {Range}'s master closed its stream ({Reason}); the range is no longer served here", closed.Range, closed.Reason);
    }

    private void Wait(Waiting stream)
    {
        if (_waiting.Count >= _bounds.WaitingStreams)
        {
            Refuse(stream.Connection, $"key range {stream.Range} is not served here, and {_bounds.WaitingStreams} streams wait already");
            return;
        }
        _waiting.Add(stream);
        Timers.StartSingleTimer(stream, new Overdue(stream), _bounds.HandOverWait);
    }

    private Waiting[] Take(int range, bool master)
    {
        var taken = _waiting.Where(w => w.Range == range && w.Master == master).ToArray();
        foreach (var waiting in taken)
        {
            _waiting.Remove(waiting);
            Timers.Cancel(waiting);
        }
        return taken;
    }

    private void Refuse(TensorConnection connection, string reason)
    {
        _log.Warning("Data plane: refused {Peer} ({Id}): {Reason}", connection.Peer, connection.PeerId, reason);
        connection.Refuse(reason);
    }

    /// <summary>Serve range <paramref name="Range"/> for the master whose stream presents <paramref name="Token"/>.</summary>
    public sealed record ExpectMaster(int Range, string Token);

    /// <summary>A stream to this host's listener passed the handshake (from the listener's thread).</summary>
    public sealed record Connected(TensorConnection Connection) : INoSerializationVerificationNeeded;

    private sealed record ControlArrived(int Range, TensorConnection Connection, object Message) : INoSerializationVerificationNeeded;

    private sealed record ControlClosed(int Range, TensorConnection Connection, string Reason) : INoSerializationVerificationNeeded;

    /// <summary>A stream waiting for its range: a master's for the range to be expected, a worker's for it to be handed over.</summary>
    private sealed record Waiting(int Range, TensorConnection Connection, bool Master);

    private sealed record Overdue(Waiting Stream) : INoSerializationVerificationNeeded;

    private sealed class Hosted(TensorConnection control, string token)
    {
        public TensorConnection Control { get; } = control;
        public string Token { get; } = token;
        public IActorRef? Server { get; set; }
    }
}
