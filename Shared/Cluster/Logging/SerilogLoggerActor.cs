using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Serilog.Events;
using AkkaLogEvent = Akka.Event.LogEvent;

namespace DistTrainer.Cluster.Logging;

/// <summary>
/// Akka's logger (akka.loggers in deploy/akka.hocon): writes Akka's log events to Serilog with the
/// properties Node (this node's address), Role (its cluster roles) and SourceContext (Akka's log
/// source), keeping the event's own time and exception. The Serilog logger is the one of the
/// system's <see cref="SerilogSetup"/>, or Serilog's global Log.Logger when the system was started without one.
/// The end of a connection to a node that left is written at Debug, not as trouble (<see cref="RoutineRemotingEvents"/>).
/// </summary>
public sealed class SerilogLoggerActor : ActorBase
{
    private readonly Serilog.ILogger _logger;
    private readonly LogEventProperty _role;
    private readonly HashSet<Address> _refusedPeers = [];
    private LogEventProperty? _node;

    public SerilogLoggerActor()
    {
        var setup = Context.System.Settings.Setup.Get<SerilogSetup>();
        _logger = setup.HasValue ? setup.Value.Logger : Serilog.Log.Logger;
        var roles = Context.System.Settings.Config.GetStringList("akka.cluster.roles", []);
        _role = new LogEventProperty("Role", new ScalarValue(string.Join(",", roles)));
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case InitializeLogger:
                Sender.Tell(new LoggerInitialized());
                return true;
            case AkkaLogEvent logEvent:
                Write(logEvent);
                return true;
            default:
                return false;
        }
    }

    private void Write(AkkaLogEvent logEvent)
    {
        var level = IsRoutine(logEvent) ? LogEventLevel.Debug : ToSerilog(logEvent.LogLevel());
        if (!_logger.IsEnabled(level))
            return;
        var (template, arguments) = logEvent.Message switch
        {
            LogMessage formatted => (formatted.Format, formatted.Parameters().ToArray()),
            var other => ("{Message:l}", new[] { other }),
        };
        if (!_logger.BindMessageTemplate(template, arguments, out var parsed, out var bound))
            return;
        var properties = bound.Append(Node()).Append(_role)
            .Append(new LogEventProperty("SourceContext", new ScalarValue(logEvent.LogSource)));
        var timestamp = new DateTimeOffset(DateTime.SpecifyKind(logEvent.Timestamp, DateTimeKind.Utc));
        _logger.Write(new Serilog.Events.LogEvent(timestamp, level, logEvent.Cause, parsed, properties));
    }

    /// <summary>
    /// A peer that left the cluster, or this node shutting down, ends connections as it should; a node whose seed is not
    /// up yet waits for it; a dead member is refused again every second once it was reported; a closed channel missing
    /// from the transport's set is bookkeeping; a node that left on purpose or was downed cannot flush to peers that left
    /// with it. None is trouble.
    /// </summary>
    private bool IsRoutine(AkkaLogEvent logEvent)
    {
        if (RoutineRemotingEvents.IsClosedChannelBookkeeping(logEvent) ||
            RoutineRemotingEvents.IsFlushAtClusterExit(logEvent, CoordinatedShutdown.Get(Context.System).ShutdownReason))
            return true;
        bool seedWait = RoutineRemotingEvents.IsSeedWait(logEvent);
        var peer = seedWait ? null : RoutineRemotingEvents.PeerOf(logEvent);
        if ((!seedWait && peer is null) || ((ExtendedActorSystem)Context.System).Provider is not ClusterActorRefProvider)
            return false;
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var members = cluster.State.Members;
        if (seedWait)
            return !members.Any(m => m.Address == cluster.SelfAddress) || IsRepeatedRefusal(logEvent, members);
        bool shuttingDown = CoordinatedShutdown.Get(Context.System).ShutdownReason is not null;
        return RoutineRemotingEvents.IsExpected(logEvent,
            peer => members.Any(m => m.Address == peer && RoutineRemotingEvents.KeepsItsConnections(m.Status)),
            shuttingDown);
    }

    /// <summary>
    /// A member that died is tried again every second until the cluster removes it (about 10 s): the first refusal is
    /// news, the same peer's next ones are not. Only members are remembered, so the set is as small as the cluster.
    /// </summary>
    private bool IsRepeatedRefusal(AkkaLogEvent logEvent, IEnumerable<Member> members)
    {
        if (RoutineRemotingEvents.RefusedPeerOf(logEvent) is not { } peer)
            return false;
        _refusedPeers.RemoveWhere(address => !members.Any(m => m.Address == address));
        return !_refusedPeers.Add(peer);
    }

    // Loggers start before remoting has bound its port, so the address is looked up until it has one.
    private LogEventProperty Node()
    {
        if (_node is not null)
            return _node;
        var address = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
        var property = new LogEventProperty("Node", new ScalarValue(address?.ToString()));
        if (address?.Port is > 0)
            _node = property;
        return property;
    }

    private static LogEventLevel ToSerilog(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => LogEventLevel.Debug,
        LogLevel.InfoLevel => LogEventLevel.Information,
        LogLevel.WarningLevel => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };
}
