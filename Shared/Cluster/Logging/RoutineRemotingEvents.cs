using Akka.Actor;
using Akka.Event;
using AkkaLogEvent = Akka.Event.LogEvent;

namespace DistTrainer.Cluster.Logging;

/// <summary>
/// What remoting reports as trouble but is routine in a cluster that works. Remoting logs the end of a connection to a peer node as a warning ("Association with remote system ... has failed") and
/// its endpoint writer's EndpointDisassociatedException as an error with a stack trace, also when the peer
/// left the cluster on purpose: every worker node at the end of every run. Such an end is expected exactly when the peer
/// is no longer a member, or is leaving (it left, or was downed, or said it would leave) or when this node is shutting
/// down itself; a peer that disappears while it is still a member (a crash, a cut link) stays a warning and an error.
/// </summary>
public static class RoutineRemotingEvents
{
    private const string AssociationFailed = "Association with remote system {0} has failed";
    private const string EndpointWriterPrefix = "reliableEndpointWriter-";

    // Internal to Akka.Remote, so it is known by its name.
    private const string EndpointDisassociated = "Akka.Remote.EndpointDisassociatedException";

    private const string ChannelNotInGroup = "Unable to REMOVE channel";

    private const string ShutdownFlushIncomplete = "Shutdown finished, but flushing might not have been successful";

    private const string SeedUnreachable = "Tried to associate with unreachable remote address";
    private const string SeedJoinRetry = "Couldn't join seed nodes after";

    /// <summary>
    /// A node started before its seed node listens (a worker started before its coordinator, as compose starts them) is
    /// told so by a refused connection and a join retry; until it has joined (the caller knows), that is waiting, not trouble. How long it
    /// waits is bounded by its own registration timeout, which ends it with an error of its own.
    /// </summary>
    public static bool IsSeedWait(AkkaLogEvent logEvent) =>
        logEvent is Warning { Message: LogMessage message } &&
        (message.Format.StartsWith(SeedUnreachable, StringComparison.Ordinal) || message.Format.StartsWith(SeedJoinRetry, StringComparison.Ordinal));

    /// <summary>
    /// The address a refused association is about ("Tried to associate with unreachable remote address"): null for any
    /// other event. Remoting tries a peer it cannot reach again once its address reopens, every second
    /// (akka.remote.retry-gate-closed-for), and says so each time.
    /// </summary>
    public static Address? RefusedPeerOf(AkkaLogEvent logEvent) =>
        logEvent is Warning { Message: LogMessage message } && message.Format.StartsWith(SeedUnreachable, StringComparison.Ordinal)
            ? AddressParameter(message)
            : null;

    /// <summary>
    /// The TCP transport keeps a set of its open channels so that its own shutdown can close them; when a channel closes
    /// after that set was already emptied (the transport or its peer shutting down, which races), it warns that the channel
    /// was not in the set. The channel is closed either way: the warning is about bookkeeping, not about the peer. A peer
    /// lost while it is still a member is reported by the association's end and by the cluster, which stay loud.
    /// </summary>
    public static bool IsClosedChannelBookkeeping(AkkaLogEvent logEvent) =>
        logEvent is Warning { Message: LogMessage message } && message.Format.StartsWith(ChannelNotInGroup, StringComparison.Ordinal);

    /// <summary>
    /// Remoting's shutdown gives each connection's writer the flush wait to send what it holds, and waits for the writers
    /// for that same time; a writer whose peer is already gone (at a run's end every node leaves at once) is still connecting or
    /// waiting for the peer to take more, so it never answers in time, and remoting warns that messages might have been dropped.
    /// A node that leaves the cluster has been removed by then, and a node that was downed is out of it: what is left to send
    /// is gossip and heartbeats, never training traffic, which goes over the data plane and its own protocol's
    /// acknowledgements. Downing is routine at a run's end too: the coordinator downs a worker's node that is unreachable as it
    /// leaves (a loaded machine, seconds of missed heartbeats) so that its own leave does not wait for the split-brain
    /// resolver, and that node then shuts down with its flush to the departed coordinator unfinished. A node downed mid-run is
    /// reported where it matters, by the coordinator's loss of a worker; this warning would add nothing. A node shutting down
    /// for any other reason (a failed join, a failure of its own) keeps the warning.
    /// </summary>
    public static bool IsFlushAtClusterExit(AkkaLogEvent logEvent, CoordinatedShutdown.Reason? shutdownReason) =>
        shutdownReason is CoordinatedShutdown.ClusterLeavingReason or CoordinatedShutdown.ClusterDowningReason &&
        logEvent is Warning { Message: LogMessage message } && message.Format.StartsWith(ShutdownFlushIncomplete, StringComparison.Ordinal);

    /// <summary>The peer a remoting event is about: null when the event is not the end of an association.</summary>
    public static Address? PeerOf(AkkaLogEvent logEvent) => logEvent switch
    {
        Warning { Message: LogMessage message } when message.Format.StartsWith(AssociationFailed, StringComparison.Ordinal) =>
            AddressParameter(message),
        Error { Cause: { } cause } when cause.GetType().FullName == EndpointDisassociated => PeerOfEndpointWriter(logEvent.LogSource),
        _ => null,
    };

    /// <summary>
    /// Whether a peer in <paramref name="status"/> is expected to keep its connections: joining or up. A peer that is
    /// leaving has said it will go; it ends its connections once the leader has removed it, which the other nodes may
    /// hear a gossip round after its connections ended (once in CI, a good embedded run ended with this warning; which
    /// node saw which peer was not kept, and this is the window that fits). A peer that crashes while leaving is still
    /// reported by the cluster as unreachable.
    /// </summary>
    public static bool KeepsItsConnections(Akka.Cluster.MemberStatus status) =>
        status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.Joining or Akka.Cluster.MemberStatus.WeaklyUp;

    /// <param name="isMember">Whether an address is a member of the cluster this node sees that keeps its connections (<see cref="KeepsItsConnections"/>).</param>
    /// <param name="shuttingDown">Whether this node has begun its own shutdown.</param>
    public static bool IsExpected(AkkaLogEvent logEvent, Func<Address, bool> isMember, bool shuttingDown) =>
        PeerOf(logEvent) is { } peer && (shuttingDown || !isMember(peer));

    // The endpoint writer's actor name holds its peer's address, URL-encoded, with a counter after it:
    // .../endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fdisttrainer%40127.0.0.1%3A44399-2/endpointWriter
    private static Address? PeerOfEndpointWriter(string? source)
    {
        int start = source?.IndexOf(EndpointWriterPrefix, StringComparison.Ordinal) ?? -1;
        if (start < 0) return null;
        string name = source![(start + EndpointWriterPrefix.Length)..];
        int slash = name.IndexOf('/');
        if (slash >= 0) name = name[..slash];
        int counter = name.LastIndexOf('-');
        if (counter > 0) name = name[..counter];
        return Parse(Uri.UnescapeDataString(name));
    }

    // Remoting names the peer first in both of its association warnings.
    private static Address? AddressParameter(LogMessage message) =>
        message.Parameters().FirstOrDefault() is { } peer ? Parse(peer.ToString() ?? "") : null;

    private static Address? Parse(string text)
    {
        try
        {
            return Address.Parse(text);
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}
