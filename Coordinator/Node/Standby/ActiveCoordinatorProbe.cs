using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Asks the other coordinators' addresses (<see cref="StandbyRule.OtherCoordinators"/>) whether one of them runs the
/// run, before the first coordinator founds a cluster. A standby that took the run over trains at the address its
/// process was started with, so a first coordinator restarted after a takeover (by hand, or by a restart policy) finds
/// it there and stands by for it, instead of founding a second cluster and a second run beside it.
/// The question is Akka's own <see cref="Identify"/> of the coordinator actor, from a node of its own on a port of its
/// own that joins no cluster: the live cluster never sees a member come and go, so its split-brain resolver has nothing
/// to count, whatever state the cluster is in. Only a coordinator actor that answers counts; no answer within the
/// timeout (nothing listens there, as before any takeover) means there is no such run.
/// </summary>
public static class ActiveCoordinatorProbe
{
    /// <returns>The first of <paramref name="addresses"/> whose coordinator actor answered within <paramref name="timeout"/>, or null.</returns>
    public static string? Find(ClusterNodeOptions node, IReadOnlyList<string> addresses, TimeSpan timeout, ILogger log, Config? overrides = null)
    {
        if (addresses.Count == 0) return null;
        // Seed nodes none (an empty list, not null, which would read the environment's): this node never joins.
        var system = ClusterNode.Start(node with { Port = 0, SeedNodes = [], Roles = [ClusterRoles.Coordinator, ClusterRoles.Standby] }, log, overrides);
        try
        {
            var asks = addresses.Select(address => Ask(system, address, timeout)).ToList();
            while (asks.Count > 0)
            {
                var answered = Task.WhenAny(asks).GetAwaiter().GetResult();
                if (answered.Result is { } found) return found;
                asks.Remove(answered);
            }
            return null;
        }
        finally
        {
            // It joined nothing, so this only stops its actor system.
            NodeLifecycle.LeaveAsync(system, log).GetAwaiter().GetResult();
        }
    }

    private static async Task<string?> Ask(ActorSystem system, string address, TimeSpan timeout)
    {
        try
        {
            var identity = await system.ActorSelection(new RootActorPath(Address.Parse(address)) / "user" / ActorNames.Coordinator)
                .Ask<ActorIdentity>(new Identify(address), timeout);
            return identity.Subject is null ? null : address;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
