using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Worker.Actors;
using Serilog;

namespace DistTrainer.Worker.Hosting;

/// <summary>
/// A worker that comes back. A node the cluster removed (downed by the split-brain resolver after a partition or a long
/// pause, or left behind when its coordinator died) can never rejoin: Akka quarantines that incarnation for good. So the
/// worker starts a fresh node, a new actor system with the same options, which joins through the seed nodes and
/// registers again, as a new process would. How long it keeps trying is the registration timeout, counted from the
/// moment the last node that a coordinator accepted was lost: a worker that keeps coming back to train is not given up
/// on, one that no coordinator takes is. A node not up within <see cref="WorkerNodeSettings.FreshJoinAfter"/> gives way
/// to a fresh one meanwhile: a node removed before its welcome reached it is refused by the seed nodes for good.
/// </summary>
public static class RejoiningWorker
{
    /// <param name="stop">Completes when a signal asks the worker to leave.</param>
    /// <param name="started">Told each node as it starts (the first, then each fresh one).</param>
    /// <param name="overrides">Configuration over the node's own, for every node (see <see cref="WorkerNode.Start"/>).</param>
    public static WorkerEnd Run(ClusterNodeOptions node, WorkerSettings settings, ILogger log, Task stop,
        Action<ActorSystem>? started = null, Config? overrides = null)
    {
        var since = DateTime.UtcNow;
        for (int incarnation = 1; ; incarnation++)
        {
            var outcome = new WorkerOutcome();
            var system = WorkerNode.Start(node, settings with { RegisteringSince = since }, log, overrides, outcome);
            try
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                log.Information("Worker {Worker} is node {Address} (incarnation {Incarnation}); joining through {Seeds}", settings.WorkerId,
                    cluster.SelfAddress, incarnation, cluster.Settings.SeedNodes);
                started?.Invoke(system);

                var freshJoinAfter = WorkerNodeSettings.Create(system.Settings.Config).FreshJoinAfter;
                // Decided before the wait: the worker actor ends a node that reaches the registration timeout, whatever the timer's grain.
                bool freshNodeNext = freshJoinAfter < since + settings.RegistrationTimeout - DateTime.UtcNow;
                if (freshNodeNext && !UpWithin(system, stop, freshJoinAfter))
                {
                    log.Information("Worker {Worker}: node {Address} not up in the cluster within {Seconds:F0} s (disttrainer.worker.fresh-join-after); " +
                                    "starting a fresh node (incarnation {Incarnation}): a seed node that removed this one as it joined refuses it for good",
                        settings.WorkerId, cluster.SelfAddress, freshJoinAfter.TotalSeconds, incarnation + 1);
                    continue;
                }
                Task.WaitAny(system.WhenTerminated, stop);
                if (stop.IsCompleted)
                    return WorkerEnd.Interrupted;
                if (outcome.Ended.IsCompleted)
                    return outcome.Ended.Result is null ? WorkerEnd.Finished : WorkerEnd.GaveUp;
                if (outcome.WasAccepted)
                    since = DateTime.UtcNow;
                if (DateTime.UtcNow >= since + settings.RegistrationTimeout)
                {
                    log.Error("Worker {Worker} stops: its node was removed from the cluster and no fresh node was accepted within {Seconds:F0} s",
                        settings.WorkerId, settings.RegistrationTimeout.TotalSeconds);
                    return WorkerEnd.GaveUp;
                }
                log.Warning("Worker {Worker}: node {Address} was removed from the cluster before the run ended; starting a fresh node to register again",
                    settings.WorkerId, cluster.SelfAddress);
            }
            finally
            {
                // A node still running here is one the worker leaves: a signal, or a fresh node taking its place.
                if (!system.WhenTerminated.IsCompleted) NodeLifecycle.LeaveAsync(system, log).GetAwaiter().GetResult();
                system.Dispose();
            }
        }
    }

    /// <summary>Whether the node is up in its own view within <paramref name="within"/>; also true when the wait ends otherwise (the node stopped, a signal).</summary>
    private static bool UpWithin(ActorSystem system, Task stop, TimeSpan within)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        return Task.WaitAny([up.Task, system.WhenTerminated, stop], within) >= 0;
    }
}
