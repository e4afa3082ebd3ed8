using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.Actors;
using Serilog;

namespace DistTrainer.Worker.Hosting;

/// <summary>
/// Starts a worker node: an actor system with the worker role joining through its seed nodes, the worker actor on it, and
/// a host of key ranges (idle, refusing every stream, until a coordinator places ranges on this node: --ps-placement
/// workers). The worker program and the coordinator's in-process workers both start theirs here.
/// </summary>
public static class WorkerNode
{
    /// <summary>
    /// A worker never founds a cluster, so its seed node timeout is only how often it asks its seed nodes again: every
    /// second, so that a worker started before its coordinator joins within about a second of the coordinator listening.
    /// </summary>
    private static readonly Config JoinRetry = ConfigurationFactory.ParseString("akka.cluster.seed-node-timeout = 1s");

    /// <summary>
    /// Starts the node and its worker actor at /user/worker, on a thread of its own. How the run ended
    /// goes to <paramref name="outcome"/> (see <see cref="WorkerActor"/>); the worker actor leaves the cluster
    /// when training finished and stops the actor system when it gives up.
    /// </summary>
    /// <param name="overrides">Settings over the node's own (see <see cref="ClusterNode.Start"/>).</param>
    public static ActorSystem Start(ClusterNodeOptions node, WorkerSettings settings, ILogger log, Config? overrides = null,
        WorkerOutcome? outcome = null)
    {
        var system = ClusterNode.Start(node with { Roles = settings.RangesOnly ? [ClusterRoles.Worker, ClusterRoles.Ps] : [ClusterRoles.Worker] },
            log, overrides is null ? JoinRetry : overrides.WithFallback(JoinRetry));
        try
        {
            string bindHost = node.Hostname ?? Environment.GetEnvironmentVariable(ClusterConfigBuilder.HostnameVariable) ?? "127.0.0.1";
            // One set of options for the node's every stream, the host's and the worker's: one modelled link (link-gbits).
            var dataPlane = DataPlaneOptions.Create(system.Settings.Config, PayloadPool.Shared, node.Tls);
            var (_, port) = RangeHosting.Start(system, bindHost, dataPlane, log.ForContext("Worker", settings.WorkerId), Dispatchers.ParameterServer);
            system.ActorOf(WorkerActor.Props(settings with { RangeHostPort = port }, log, outcome, dataPlane).WithDispatcher(Dispatchers.Step),
                ActorNames.Worker);
            return system;
        }
        catch
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }
}
