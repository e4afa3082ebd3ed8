using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.Actors;
using Serilog;

namespace DistTrainer.Worker.Hosting;

/// <summary>
/// Starts a worker node: an actor system with the worker role joining through its seed nodes, and the
/// worker actor on it. The worker program and the coordinator's in-process workers both start theirs here.
/// </summary>
public static class WorkerNode
{
    /// <summary>
    /// Starts the node and its worker actor at /user/worker, on a thread of its own. How the run ended
    /// goes to <paramref name="outcome"/> (see <see cref="WorkerActor"/>); the worker actor leaves the cluster
    /// when training finished and stops the actor system when it gives up.
    /// </summary>
    /// <param name="overrides">Settings over the node's own (see <see cref="ClusterNode.Start"/>).</param>
    public static ActorSystem Start(ClusterNodeOptions node, WorkerSettings settings, ILogger log, Config? overrides = null,
        WorkerOutcome? outcome = null)
    {
        var system = ClusterNode.Start(node with { Roles = [ClusterRoles.Worker] }, log, overrides);
        system.ActorOf(WorkerActor.Props(settings, log, outcome, node.Tls).WithDispatcher(Dispatchers.Step), ActorNames.Worker);
        return system;
    }
}
