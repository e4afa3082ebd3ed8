using Akka.Actor;
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
/// on, one that no coordinator takes is.
/// </summary>
public static class RejoiningWorker
{
    /// <param name="stop">Completes when a signal asks the worker to leave.</param>
    /// <param name="started">Told each node as it starts (the first, then each fresh one).</param>
    public static WorkerEnd Run(ClusterNodeOptions node, WorkerSettings settings, ILogger log, Task stop,
        Action<ActorSystem>? started = null)
    {
        var deadline = DateTime.UtcNow + settings.RegistrationTimeout;
        for (int incarnation = 1; ; incarnation++)
        {
            var outcome = new WorkerOutcome();
            var budget = deadline - DateTime.UtcNow;
            using var system = WorkerNode.Start(node, settings with { RegistrationTimeout = budget }, log, outcome: outcome);
            var cluster = Akka.Cluster.Cluster.Get(system);
            log.Information("Worker {Worker} is node {Address} (incarnation {Incarnation}); joining through {Seeds}", settings.WorkerId,
                cluster.SelfAddress, incarnation, cluster.Settings.SeedNodes);
            started?.Invoke(system);

            Task.WaitAny(system.WhenTerminated, stop);
            if (stop.IsCompleted)
            {
                NodeLifecycle.LeaveAsync(system, log).GetAwaiter().GetResult();
                return WorkerEnd.Interrupted;
            }
            if (outcome.Ended.IsCompleted)
                return outcome.Ended.Result is null ? WorkerEnd.Finished : WorkerEnd.GaveUp;
            if (outcome.WasAccepted)
                deadline = DateTime.UtcNow + settings.RegistrationTimeout;
            if (DateTime.UtcNow >= deadline)
            {
                log.Error("Worker {Worker} stops: its node was removed from the cluster and no fresh node was accepted within {Seconds:F0} s",
                    settings.WorkerId, settings.RegistrationTimeout.TotalSeconds);
                return WorkerEnd.GaveUp;
            }
            log.Warning("Worker {Worker}: node {Address} was removed from the cluster before the run ended; starting a fresh node to register again",
                settings.WorkerId, cluster.SelfAddress);
        }
    }
}
