using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.KeyRanges;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer.Ranges;

/// <summary>
/// The step master's end of its stream to one key range's server (<see cref="RangeHostActor"/>): it connects (off the actor's
/// thread, bounded by the node's connect timeout), hands the range over (<see cref="HostRange"/>), then sends every message
/// the master tells it as the range protocol's frames (<see cref="RangeControlFrames"/>) and tells the master each message
/// that comes back. What the master tells it while it connects waits, in order. A stream that cannot be opened, or closes,
/// is reported to the master once (<see cref="RangeServerLost"/>): the run cannot go on without the range.
/// </summary>
public sealed class RangeLinkActor : ReceiveActor, IWithUnboundedStash
{
    private readonly HostRange _range;
    private readonly RangeEndpoint _endpoint;
    private readonly IActorRef _master;
    private readonly DataPlaneOptions _options;
    private readonly TimeSpan _connectTimeout;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopped = new();
    private TensorConnection? _connection;

    public RangeLinkActor(HostRange range, RangeEndpoint endpoint, IActorRef master, DataPlaneOptions options, TimeSpan connectTimeout, ILogger log)
    {
        _range = range;
        _endpoint = endpoint;
        _master = master;
        _options = options;
        _connectTimeout = connectTimeout;
        _log = log;
        Connecting();
    }

    public static Props Props(HostRange range, RangeEndpoint endpoint, IActorRef master, DataPlaneOptions options, TimeSpan connectTimeout,
        ILogger log) =>
        Akka.Actor.Props.Create(() => new RangeLinkActor(range, endpoint, master, options, connectTimeout, log));

    public IStash Stash { get; set; } = null!;

    protected override void PreStart()
    {
        var (endpoint, options, timeout, stopped) = (_endpoint, _options, _connectTimeout, _stopped.Token);
        BlockingWork.Run(() =>
            {
                var connection = TensorClient.Connect(endpoint.Host, endpoint.Port, KeyRangeStreams.ControlPeerId(endpoint.Range), timeout,
                    retries: 2, options, endpoint.MasterToken);
                // Stopped while it connected (the run ended at its start): nobody will read or close this stream.
                if (!stopped.IsCancellationRequested) return connection;
                connection.Dispose();
                throw new OperationCanceledException(stopped);
            })
            .PipeTo(Self, success: connection => new Linked(connection), failure: e => new NotLinked(e.GetBaseException().Message));
    }

    protected override void PostStop()
    {
        _stopped.Cancel();
        _stopped.Dispose();
        _connection?.Dispose();
    }

    private void Connecting()
    {
        Receive<Linked>(linked =>
        {
            var connection = _connection = linked.Connection;
            var (master, range) = (_master, _endpoint.Range);
            // The thread that read the frame runs the master on it (its dispatcher's SenderThreadExecutor), with no wake-up. A range's
            // answer to a step gets this link's bytes, which only this end counts, beside those of the range's own streams.
            RangeControlReader.Start(connection, $"key range {range}'s server", _log, message => SenderThreadExecutor.RunHere(master,
                    message is RangeStepped stepped
                        ? stepped with { Streams = [.. stepped.Streams, new StreamTraffic(null, range, DataPlaneTraffic.Of(connection))] }
                        : message),
                (_, closed) => master.Tell(new RangeServerLost(range, closed.Message)));
            RangeControlFrames.Send(connection, _range);
            _log.Debug("Key range {Range} handed to its server at {Host}:{Port}", range, _endpoint.Host, _endpoint.Port);
            Become(Sending);
            Stash.UnstashAll();
        });
        Receive<NotLinked>(failed => _master.Tell(new RangeServerLost(_endpoint.Range,
            $"could not connect to its server at {_endpoint.Host}:{_endpoint.Port}: {failed.Reason}")));
        ReceiveAny(_ => Stash.Stash());
    }

    // A closed stream drops what is sent on it; its closing is reported once, by the close handler.
    private void Sending() => ReceiveAny(message => RangeControlFrames.Send(_connection!, message));

    private sealed record Linked(TensorConnection Connection) : INoSerializationVerificationNeeded;

    private sealed record NotLinked(string Reason) : INoSerializationVerificationNeeded;
}
