using Akka.Actor;
using Serilog;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// How every node ends: the coordinator at the end of a run, the embedded workers after it, a worker
/// program on SIGINT/SIGTERM. One bounded leave, so that no node's shutdown can hang its process.
/// </summary>
public static class NodeLifecycle
{
    /// <summary>
    /// Leaves the cluster (when this node joined one) through coordinated shutdown, which also waits for
    /// the removal and terminates the actor system, each phase under its own timeout; the whole is bounded
    /// by the node's own <see cref="NodeLifecycleSettings.LeaveTimeout"/>. A leave that runs out of time is logged and the
    /// actor system is terminated, bounded by <see cref="NodeLifecycleSettings.TerminateTimeout"/>. Never throws
    /// for a timeout: the caller is on its way out either way.
    /// </summary>
    public static Task LeaveAsync(ActorSystem system, ILogger log) =>
        LeaveAsync(system, NodeLifecycleSettings.Create(system.Settings.Config), log);

    /// <summary>As <see cref="LeaveAsync(ActorSystem, ILogger)"/>, with bounds other than the node's own (tests).</summary>
    public static async Task LeaveAsync(ActorSystem system, NodeLifecycleSettings settings, ILogger log)
    {
        if (await Within(CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance), settings.LeaveTimeout))
            return;
        log.Warning("Leaving the cluster took over {Timeout} s; stopping anyway", settings.LeaveTimeout.TotalSeconds);
        if (!await Within(system.Terminate(), settings.TerminateTimeout))
            log.Error("The actor system did not stop within {Timeout} s", settings.TerminateTimeout.TotalSeconds);
    }

    private static async Task<bool> Within(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
