using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Worker.Cli;

/// <summary>
/// Runs one worker node until its actor system ends: the worker actor ends it when training
/// finished or when it gave up (its own timeouts bound every wait of the protocol), a signal
/// makes the node leave the cluster first.
/// </summary>
public static class WorkerCommand
{
    public const int Finished = 0;
    public const int GaveUp = 1;
    public const int Interrupted = 130;

    public static int Run(WorkerOptions options, ILogger log)
    {
        log = log.ForContext("Worker", options.WorkerId);
        var outcome = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first SIGINT/SIGTERM is ours to handle (leave, then stop); a second one ends the process at once. Akka's own
        // hook would run the shutdown inside the process exit, where the exit code is no longer ours: deploy/akka.hocon turns it off.
        using var stop = new StopSignal(log, "Received {Signal}: leaving the cluster");

        // Served from before the node joins until the process has left the cluster: a scrape sees the whole run.
        using var metrics = options.MetricsPort is { } port ? MetricsEndpoint.Start(port, "--metrics-port") : null;
        var settings = metrics is null ? options.Settings : options.Settings with { Metrics = new WorkerMetrics(metrics.Registry, options.WorkerId) };
        using var system = WorkerNode.Start(options.ClusterNode, settings, log, outcome: outcome);
        var cluster = Akka.Cluster.Cluster.Get(system);
        log.Information("Worker {Worker} is node {Address}; joining through {Seeds}", options.WorkerId, cluster.SelfAddress,
            cluster.Settings.SeedNodes);

        Task.WaitAny(system.WhenTerminated, stop.Requested);
        if (stop.Requested.IsCompleted)
        {
            NodeLifecycle.LeaveAsync(system, log).GetAwaiter().GetResult();
            return Interrupted;
        }
        if (!outcome.Task.IsCompleted)
        {
            log.Error("The actor system stopped before the worker knew how training ended");
            return GaveUp;
        }
        return outcome.Task.Result is null ? Finished : GaveUp;
    }
}
