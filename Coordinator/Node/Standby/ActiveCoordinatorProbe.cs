using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Asks the other coordinators' addresses (<see cref="StandbyRule.OtherCoordinators"/>) whether one of them runs the
/// run: before the first coordinator founds a cluster, and, once it has, until its first step. A standby that took the
/// run over trains at the address its process was started with, so a first coordinator restarted after a takeover (by
/// hand, or by a restart policy) finds it there and stands by for it, instead of founding a second cluster and a second
/// run beside it; one restarted while the takeover was still under way finds it once the takeover is done.
/// The question is Akka's own <see cref="Identify"/> of the coordinator actor, from a node of its own on a port of its
/// own that joins no cluster: the live cluster never sees a member come and go, so its split-brain resolver has nothing
/// to count, whatever state the cluster is in, and the refused connections of addresses where nothing listens yet are a
/// node's wait for its seeds, not trouble, in its log. Only a coordinator actor that answers counts; no answer within the
/// timeout (nothing listens there, as before any takeover) means there is no such run.
/// </summary>
public sealed class ActiveCoordinatorProbe : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IReadOnlyList<string> _addresses;
    private readonly TimeSpan _timeout;
    private readonly Lazy<Task> _stopped;

    private ActiveCoordinatorProbe(ActorSystem system, IReadOnlyList<string> addresses, TimeSpan timeout, ILogger log)
    {
        _system = system;
        _addresses = addresses;
        _timeout = timeout;
        // It joined nothing, so this only stops its actor system.
        _stopped = new Lazy<Task>(() => NodeLifecycle.LeaveAsync(system, log));
    }

    /// <summary>Starts the node the questions go from.</summary>
    public static ActiveCoordinatorProbe Start(ClusterNodeOptions node, IReadOnlyList<string> addresses, TimeSpan timeout, ILogger log,
        Config? overrides = null)
    {
        // Seed nodes none (an empty list, not null, which would read the environment's): this node never joins.
        var system = ClusterNode.Start(node with { Port = 0, SeedNodes = [], Roles = [ClusterRoles.Coordinator, ClusterRoles.Standby] }, log, overrides);
        return new ActiveCoordinatorProbe(system, addresses, timeout, log);
    }

    /// <returns>The first of <paramref name="addresses"/> whose coordinator actor answered within <paramref name="timeout"/>, or null.</returns>
    public static string? Find(ClusterNodeOptions node, IReadOnlyList<string> addresses, TimeSpan timeout, ILogger log, Config? overrides = null)
    {
        if (addresses.Count == 0) return null;
        var probe = Start(node, addresses, timeout, log, overrides);
        try
        {
            return probe.FindAsync().GetAwaiter().GetResult();
        }
        finally
        {
            probe.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <returns>The first address whose coordinator actor answered within the timeout, or null; null too once the node has stopped.</returns>
    public async Task<string?> FindAsync()
    {
        var asks = _addresses.Select(Ask).ToList();
        while (asks.Count > 0)
        {
            var answered = await Task.WhenAny(asks);
            if (answered.Result is { } found) return found;
            asks.Remove(answered);
        }
        return null;
    }

    /// <summary>Stops the node; safe to call more than once, from any thread, and it does not block the caller.</summary>
    public ValueTask DisposeAsync() => new(_stopped.Value);

    private async Task<string?> Ask(string address)
    {
        try
        {
            var identity = await _system.ActorSelection(new RootActorPath(Address.Parse(address)) / "user" / ActorNames.Coordinator)
                .Ask<ActorIdentity>(new Identify(address), _timeout);
            return identity.Subject is null ? null : address;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
