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
/// answering on it, and taking each worker's stream of that range. A stream for a range not served here, a master's stream
/// without its token, or any other peer is refused with a one-line reason; the master's stream closing stops the range.
/// </summary>
public sealed class RangeHostActor : ReceiveActor
{
    private readonly TensorListener _listener;
    private readonly PayloadPool _payloads;
    private readonly ILogger _log;
    private readonly Dictionary<int, string> _expected = [];
    private readonly Dictionary<int, Hosted> _hosted = [];
    private readonly Dictionary<int, List<TensorConnection>> _waiting = [];

    /// <summary>Workers' streams of one range held until its master hands the range over; past it, such a stream is refused.</summary>
    public const int WaitingStreamsLimit = 64;

    public RangeHostActor(TensorListener listener, ILogger log)
    {
        _listener = listener;
        _payloads = listener.Options.Payloads;
        _log = log;
        Receive<ExpectMaster>(expect => _expected[expect.Range] = expect.Token);
        Receive<Connected>(connected => Connect(connected.Connection));
        Receive<ControlArrived>(OnControl);
        Receive<ControlClosed>(OnClosed);
    }

    /// <summary>A host serving on <paramref name="listener"/>, whose connections must be told to it as <see cref="Connected"/>.</summary>
    public static Props Props(TensorListener listener, ILogger log) => Akka.Actor.Props.Create(() => new RangeHostActor(listener, log));

    protected override void PostStop()
    {
        foreach (var hosted in _hosted.Values) hosted.Control.Dispose();
        foreach (var waiting in _waiting.Values.SelectMany(streams => streams)) waiting.Dispose();
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
        else if (_expected.ContainsKey(range) && Waiting(range).Count < WaitingStreamsLimit)
            // Its master's stream is on the way (a worker can be quicker than the hand-over): the range takes it once served.
            Waiting(range).Add(connection);
        else
            Refuse(connection, _expected.ContainsKey(range)
                ? $"key range {range} is not served yet and {WaitingStreamsLimit} streams wait for it already"
                : $"key range {range} is not served here");
    }

    private void AcceptMaster(TensorConnection connection, int range)
    {
        if (!_expected.TryGetValue(range, out var token) || connection.PeerToken is not { } presented ||
            !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(token)))
        {
            Refuse(connection, $"the stream did not present the token of key range {range}'s master");
            return;
        }
        if (_hosted.ContainsKey(range))
        {
            Refuse(connection, $"key range {range} has its master's stream already");
            return;
        }
        _hosted[range] = new Hosted(connection);
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
        hosted.Server = Context.ActorOf(RangeServerActor.Props(arrived.Range, range, message => RangeControlFrames.Send(control, message),
            _payloads, _log).WithDispatcher(Context.Props.Dispatcher), $"range-{arrived.Range}");
        _log.Debug("Key range {Range} ([{Offset}, {End})) served from version {Version}", arrived.Range, range.Range.Offset,
            range.Range.Offset + range.Range.Length, range.Version);
        if (_waiting.Remove(arrived.Range, out var waiting))
            foreach (var connection in waiting) hosted.Server.Tell(new RangeStreamConnected(connection));
    }

    private void OnClosed(ControlClosed closed)
    {
        if (!_hosted.TryGetValue(closed.Range, out var hosted) || !ReferenceEquals(hosted.Control, closed.Connection)) return;
        _hosted.Remove(closed.Range);
        if (hosted.Server is { } server) Context.Stop(server);
        // The master's stream closes at every run's end too: not a fault here; the master reports a lost range itself.
        _log.Debug("Key range {Range}'s master closed its stream ({Reason}); the range is no longer served here", closed.Range, closed.Reason);
    }

    private List<TensorConnection> Waiting(int range) =>
        _waiting.TryGetValue(range, out var streams) ? streams : _waiting[range] = [];

    private void Refuse(TensorConnection connection, string reason)
    {
        _log.Warning("Data plane: refused {Peer} ({Id}): {Reason}", connection.Peer, connection.PeerId, reason);
        if (!connection.SendText(new FrameHeader(FrameKind.Refused), reason, connection.Dispose))
            connection.Dispose();
    }

    /// <summary>Serve range <paramref name="Range"/> for the master whose stream presents <paramref name="Token"/>.</summary>
    public sealed record ExpectMaster(int Range, string Token);

    /// <summary>A stream to this host's listener passed the handshake (from the listener's thread).</summary>
    public sealed record Connected(TensorConnection Connection) : INoSerializationVerificationNeeded;

    private sealed record ControlArrived(int Range, TensorConnection Connection, object Message) : INoSerializationVerificationNeeded;

    private sealed record ControlClosed(int Range, TensorConnection Connection, string Reason) : INoSerializationVerificationNeeded;

    private sealed class Hosted(TensorConnection control)
    {
        public TensorConnection Control { get; } = control;
        public IActorRef? Server { get; set; }
    }
}
