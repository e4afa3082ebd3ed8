using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Worker.Cli;

/// <summary>
/// Runs one worker until its part in the run ends (<see cref="RejoiningWorker"/>: a node the cluster removed is
/// replaced by a fresh one), and turns how it ended into the program's exit code. A signal makes the node leave the
/// cluster first.
/// </summary>
public static class WorkerCommand
{
    public const int Finished = 0;
    public const int GaveUp = 1;
    public const int Interrupted = 130;

    public static int Run(WorkerOptions options, ILogger log)
    {
        log = log.ForContext("Worker", options.WorkerId);
        // The first SIGINT/SIGTERM is ours to handle (leave, then stop); a second one ends the process at once. Akka's own
        // hook would run the shutdown inside the process exit, where the exit code is no longer ours: deploy/akka.hocon turns it off.
        using var stop = new StopSignal(log, "Received {Signal}: leaving the cluster");

        // Served from before the first node joins until the process has left the cluster: a scrape sees the whole run,
        // across fresh nodes too.
        using var metrics = options.MetricsPort is { } port ? MetricsEndpoint.Start(port, "--metrics-port") : null;
        var settings = metrics is null ? options.Settings : options.Settings with { Metrics = new WorkerMetrics(metrics.Registry, options.WorkerId) };
        return RejoiningWorker.Run(options.ClusterNode, settings, log, stop.Requested) switch
        {
            WorkerEnd.Finished => Finished,
            WorkerEnd.Interrupted => Interrupted,
            _ => GaveUp,
        };
    }
}
